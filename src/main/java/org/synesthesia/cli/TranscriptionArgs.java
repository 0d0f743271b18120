package org.synesthesia.cli;

import org.synesthesia.pipeline.TranscriptionSettings;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.WhisperTokenizer;

/**
 * Whisper's decoding options as {@code transcribe} (all of them) and {@code speak} ({@code --language},
 * {@code --beam-size}, {@code --no-fallback}) read them; {@link #settings} checks them after {@link Args#finish()}.
 */
record TranscriptionArgs(String language, WhisperTokenizer.Task task, int beamSize, Double patience, Double lengthPenalty,
                         int bestOf, double temperature, boolean noFallback, boolean condition, boolean withoutTimestamps,
                         String initialPrompt, long seed) {
    /** Flags among them (options without a value). */
    static final java.util.Set<String> FLAGS = java.util.Set.of("no-fallback", "no-condition-on-previous-text", "without-timestamps");

    /** All of transcribe's decoding options. */
    static TranscriptionArgs read(Args a) {
        String language = a.get("language", "auto");
        WhisperTokenizer.Task task = WhisperTokenizer.Task.parse(a.get("task", "transcribe"));
        int beamSize = a.getInt("beam-size", 5);
        Double patience = a.has("patience") ? a.getDouble("patience", 1) : null;
        Double lengthPenalty = a.has("length-penalty") ? a.getDouble("length-penalty", 0) : null;
        int bestOf = a.getInt("best-of", 5);
        double temperature = a.getDouble("temperature", 0);
        boolean noFallback = a.flag("no-fallback");
        boolean condition = !a.flag("no-condition-on-previous-text");
        boolean withoutTimestamps = a.flag("without-timestamps");
        String initialPrompt = a.get("initial-prompt", null);
        long seed = a.getLong("seed", 0);
        return new TranscriptionArgs(language, task, beamSize, patience, lengthPenalty, bestOf, temperature, noFallback,
                condition, withoutTimestamps, initialPrompt, seed);
    }

    /** speak's: --language, --beam-size, --no-fallback; the rest as openai's defaults. */
    static TranscriptionArgs readShort(Args a) {
        TranscriptionSettings d = TranscriptionSettings.DEFAULTS;
        String language = a.get("language", "auto");
        int beamSize = a.getInt("beam-size", d.beamSize());
        boolean noFallback = a.flag("no-fallback");
        return new TranscriptionArgs(language, d.task(), beamSize, d.patience(), d.lengthPenalty(), d.bestOf(), d.temperature(),
                noFallback, d.conditionOnPreviousText(), d.withoutTimestamps(), d.initialPrompt(), d.seed());
    }

    /** The settings; one-line errors name the option and {@code command}. */
    TranscriptionSettings settings(String command) {
        if (beamSize < 0) throw new SynesthesiaException(command + ": --beam-size must be >= 0, not " + beamSize);
        if (bestOf < 1) throw new SynesthesiaException(command + ": --best-of must be >= 1, not " + bestOf);
        if (patience != null && beamSize == 0) throw new SynesthesiaException(command + ": --patience needs beam search (--beam-size >= 1)");
        return new TranscriptionSettings(language, task, beamSize, patience, lengthPenalty, bestOf, temperature, !noFallback,
                condition, withoutTimestamps, initialPrompt, seed);
    }
}
