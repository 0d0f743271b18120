package org.synesthesia.pipeline;

import org.synesthesia.whisper.DecodingOptions;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.WhisperTokenizer;

/**
 * How Whisper transcribes, as openai's {@code whisper} command takes it ({@link #DEFAULTS} are its defaults).
 *
 * @param language                spoken language code or name; null or "auto": detected on the first 30 s
 * @param task                    transcribe, or translate into English
 * @param beamSize                beams at temperature 0; 0: greedy
 * @param patience                beam search patience (null: 1); needs a beam
 * @param lengthPenalty           rank by logprob / ((5 + length) / 6)^a (null: logprob / length)
 * @param bestOf                  candidates sampled at temperatures above 0
 * @param temperature             the first temperature
 * @param fallback                retry at temperature + 0.2, ... 1.0 when a window's text is repetitive or unlikely
 * @param conditionOnPreviousText the text so far prompts the next window
 * @param withoutTimestamps       text only, one segment per window
 * @param initialPrompt           text prompting the first window (null: none)
 * @param seed                    seed of the sampling above temperature 0
 */
public record TranscriptionSettings(String language, WhisperTokenizer.Task task, int beamSize, Double patience,
                                    Double lengthPenalty, int bestOf, double temperature, boolean fallback,
                                    boolean conditionOnPreviousText, boolean withoutTimestamps, String initialPrompt,
                                    long seed) {
    /** openai whisper's: language detected, beam 5, best of 5, temperature 0 with fallback, conditioned on the previous text. */
    public static final TranscriptionSettings DEFAULTS = new TranscriptionSettings(null, WhisperTokenizer.Task.TRANSCRIBE,
            5, null, null, 5, 0, true, true, false, null, 0);

    public TranscriptionSettings {
        if (language != null && language.equalsIgnoreCase("auto")) language = null;
        if (task == null) task = WhisperTokenizer.Task.TRANSCRIBE;
        if (beamSize < 0) throw new IllegalArgumentException("beam size must be >= 0, not " + beamSize);
        if (bestOf < 1) throw new IllegalArgumentException("best of must be >= 1, not " + bestOf);
        if (patience != null && beamSize == 0) throw new IllegalArgumentException("patience needs beam search (beam size >= 1)");
    }

    public TranscriptionSettings withLanguage(String l) {
        return new TranscriptionSettings(l, task, beamSize, patience, lengthPenalty, bestOf, temperature, fallback,
                conditionOnPreviousText, withoutTimestamps, initialPrompt, seed);
    }

    public TranscriptionSettings withBeamSize(int n) {
        return new TranscriptionSettings(language, task, n, patience, lengthPenalty, bestOf, temperature, fallback,
                conditionOnPreviousText, withoutTimestamps, initialPrompt, seed);
    }

    public TranscriptionSettings withFallback(boolean f) {
        return new TranscriptionSettings(language, task, beamSize, patience, lengthPenalty, bestOf, temperature, f,
                conditionOnPreviousText, withoutTimestamps, initialPrompt, seed);
    }

    /** The transcriber's options, decoding in {@code lang} (a code or name; null: detect). */
    TranscribeOptions options(String lang) {
        DecodingOptions decoding = DecodingOptions.DEFAULT.withTask(task).withLanguage(lang)
                .withBeamSize(beamSize == 0 ? null : beamSize, patience).withLengthPenalty(lengthPenalty)
                .withBestOf(bestOf).withoutTimestamps(withoutTimestamps).withSeed(seed);
        double[] temps = fallback ? TranscribeOptions.fallbackTemperatures(temperature, 0.2) : new double[] {temperature};
        return TranscribeOptions.DEFAULT.withDecoding(decoding).withTemperatures(temps)
                .withConditionOnPreviousText(conditionOnPreviousText).withInitialPrompt(initialPrompt);
    }
}
