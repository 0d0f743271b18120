package org.synesthesia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.DecodingOptions;
import org.synesthesia.whisper.DecodingResult;
import org.synesthesia.whisper.LanguageDetection;
import org.synesthesia.whisper.Segment;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.Transcriber;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.TranscriptWriter;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperLanguages;
import org.synesthesia.whisper.WhisperTokenizer;
import org.synesthesia.whisper.WhisperTokenizers;

/**
 * {@code synesthesia transcribe FILE --model PATH ...}: speech to text with Whisper, as openai's {@code whisper}
 * command does it (beam 5 at temperature 0, best of 5 when falling back to 0.2 ... 1.0, conditioned on the previous
 * text). The transcript goes to stdout, progress and segments to stderr, files to {@code --output-dir}.
 */
public final class TranscribeCommand implements Command {
    /** Environment variable naming a folder with {@code multilingual.tiktoken} / {@code gpt2.tiktoken}. */
    public static final String TOKENIZERS_ENV = "SYNESTHESIA_TOKENIZERS";

    @Override
    public String name() {
        return "transcribe";
    }

    @Override
    public String summary() {
        return "speech to text with Whisper (WAV/FLAC in; txt, srt, vtt, tsv, json out)";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia transcribe FILE --model PATH [options]

                Transcribes FILE (WAV or FLAC, any rate, mixed to mono and resampled to 16 kHz) in 30 s windows.
                  --model PATH            whisper checkpoint: .safetensors, openai .pt, whisper.cpp ggml .bin,
                                          converted .gguf, or a folder
                  --tokenizer DIR         folder with multilingual.tiktoken / gpt2.tiktoken (default: the converted
                                          model's own, else beside the model, then $SYNESTHESIA_TOKENIZERS)
                  --from S, --to S        transcribe only [S, S) seconds; timestamps stay those of the file
                  --language xx|auto      spoken language code or name (default: auto, detected on the first 30 s)
                  --task transcribe|translate   translate: into English (default: transcribe)
                  --beam-size N           beams at temperature 0 (default 5; 0: greedy)
                  --patience P            beam search patience (default 1)
                  --length-penalty A      rank by logprob / ((5 + length) / 6)^A instead of logprob / length
                  --best-of N             candidates sampled at temperature > 0 (default 5)
                  --temperature T         first temperature (default 0)
                  --no-fallback           only T: no retries at T + 0.2, ... 1.0 on repetitive or unlikely text
                  --no-condition-on-previous-text   windows are not prompted with the text before them
                  --initial-prompt TEXT   text prompting the first window (spellings, style)
                  --without-timestamps    text only (one segment per window)
                  --seed N                random seed of the sampling at temperature > 0 (default 0)
                  --output-format F       txt, srt, vtt, tsv, json or all (default all; used with --output-dir)
                  --output-dir DIR        write FILE's name with each format's extension there (atomically)""";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("no-fallback", "no-condition-on-previous-text", "without-timestamps");
    }

    @Override
    public int run(Args args) throws IOException {
        Path file = Path.of(args.positional(0, "audio file"));
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path modelPath = Path.of(args.require("model"));
        Path tokenizerDir = args.path("tokenizer");
        String language = args.get("language", "auto");
        WhisperTokenizer.Task task = WhisperTokenizer.Task.parse(args.get("task", "transcribe"));
        int beamSize = args.getInt("beam-size", 5);
        Double patience = args.has("patience") ? args.getDouble("patience", 1) : null;
        Double lengthPenalty = args.has("length-penalty") ? args.getDouble("length-penalty", 0) : null;
        int bestOf = args.getInt("best-of", 5);
        double temperature = args.getDouble("temperature", 0);
        boolean noFallback = args.flag("no-fallback");
        boolean condition = !args.flag("no-condition-on-previous-text");
        boolean withoutTimestamps = args.flag("without-timestamps");
        String initialPrompt = args.get("initial-prompt", null);
        long seed = args.getLong("seed", 0);
        String format = args.get("output-format", "all");
        Path outputDir = args.path("output-dir");
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("transcribe: one audio file expected, got " + args.positionals().size() + " (see synesthesia transcribe --help)");
        if (beamSize < 0) throw new SynesthesiaException("transcribe: --beam-size must be >= 0, not " + beamSize);
        if (bestOf < 1) throw new SynesthesiaException("transcribe: --best-of must be >= 1, not " + bestOf);
        if (patience != null && beamSize == 0) throw new SynesthesiaException("transcribe: --patience needs beam search (--beam-size >= 1)");
        List<TranscriptWriter.Format> formats = formats(format);
        TimeWindow window = TimeWindow.of(from, to);

        float[] samples = loadAudio16k(file, window);
        try (Whisper whisper = Whisper.load(modelPath)) {
            WhisperTokenizer tokenizer = WhisperTokenizers.forModel(whisper, tokenizerDir, modelPath, "transcribe");
            TranscribeOptions options = options("transcribe", whisper, tokenizer, modelPath, language, task, beamSize, patience,
                    lengthPenalty, bestOf, temperature, noFallback, condition, withoutTimestamps, initialPrompt, seed);

            Tensor mel = LogMel.forTranscription(samples, whisper.melFilters());
            Progress.info(String.format(Locale.ROOT, "transcribe: %s, %.2f s of audio, %s", file, samples.length / (double) LogMel.SAMPLE_RATE, whisper.description()));
            double offset = window.from();
            Transcript t;
            try (Progress progress = Progress.start("transcribe", Transcriber.contentFrames(mel), "frames")) {
                ProgressListener listener = new ProgressListener(progress, offset);
                t = Transcriber.of(whisper, tokenizer).transcribe(mel, options, listener);
                listener.window(Transcriber.contentFrames(mel), Transcriber.contentFrames(mel));
            }
            if (offset > 0) t = shift(t, offset);
            System.out.print(TranscriptWriter.format(t, TranscriptWriter.Format.TXT));
            System.out.flush();
            if (outputDir != null) {
                try {
                    Files.createDirectories(outputDir);
                } catch (IOException e) {
                    throw SynesthesiaException.inFile(outputDir, "cannot create the output folder (" + e.getMessage() + ")");
                }
                for (Path p : TranscriptWriter.writeAll(outputDir, file, t, formats)) Progress.info("wrote " + p);
            }
        }
        return 0;
    }

    /** openai whisper's decoding settings from the command-line values (shared with {@code speak}). */
    static TranscribeOptions options(String command, Whisper whisper, WhisperTokenizer tokenizer, Path modelPath, String language,
                                     WhisperTokenizer.Task task, int beamSize, Double patience, Double lengthPenalty, int bestOf,
                                     double temperature, boolean noFallback, boolean condition, boolean withoutTimestamps,
                                     String initialPrompt, long seed) {
        String lang = language.equalsIgnoreCase("auto") ? null : language;
        if (lang != null && WhisperLanguages.toCode(lang) == null) throw new SynesthesiaException(command + ": unknown language '" + language + "'");
        if (!tokenizer.multilingual() && lang != null && !"en".equals(WhisperLanguages.toCode(lang))) {
            Progress.info(command + ": " + modelPath + " is an English-only model; transcribing as English");
            lang = "en";
        }
        DecodingOptions decoding = DecodingOptions.DEFAULT.withTask(task).withLanguage(lang)
                .withBeamSize(beamSize == 0 ? null : beamSize, patience).withLengthPenalty(lengthPenalty)
                .withBestOf(bestOf).withoutTimestamps(withoutTimestamps).withSeed(seed);
        double[] temps = noFallback ? new double[] {temperature} : TranscribeOptions.fallbackTemperatures(temperature, 0.2);
        return TranscribeOptions.DEFAULT.withDecoding(decoding).withTemperatures(temps)
                .withConditionOnPreviousText(condition).withInitialPrompt(initialPrompt);
    }

    /**
     * The audio the model hears: FILE's {@code window}, mono, at 16 kHz (the one place that reads audio).
     */
    static float[] loadAudio16k(Path file, TimeWindow window) {
        Audio audio = AudioFiles.read(file, window);
        return Resampler.to16k(audio).samples();
    }

    /** The folder with the model's tiktoken file: --tokenizer, else beside the model, else $SYNESTHESIA_TOKENIZERS. */
    static Path tokenizerDir(Path given, Path model, boolean multilingual) {
        return WhisperTokenizers.dir(given, model, multilingual, "transcribe");
    }

    static List<TranscriptWriter.Format> formats(String s) {
        if (s.equalsIgnoreCase("all")) return List.of(TranscriptWriter.Format.values());
        return List.of(TranscriptWriter.Format.parse(s));
    }

    /** The transcript with every segment moved {@code offset} seconds later (timestamps of the whole file). */
    static Transcript shift(Transcript t, double offset) {
        List<Segment> moved = new ArrayList<>();
        for (Segment s : t.segments())
            moved.add(new Segment(s.id(), s.seek(), s.start() + offset, s.end() + offset, s.text(), s.tokens(), s.temperature(),
                    s.avgLogprob(), s.compressionRatio(), s.noSpeechProb()));
        return new Transcript(t.text(), moved, t.language());
    }

    /** Segments and fallbacks on stderr as they come; the frames done drive the progress line (time left). */
    private static final class ProgressListener implements Transcriber.Listener {
        private final Progress progress;
        private final double offset;
        private int lastSeek;

        ProgressListener(Progress progress, double offset) {
            this.progress = progress;
            this.offset = offset;
        }

        @Override
        public void languageDetected(LanguageDetection d) {
            Progress.info(String.format(Locale.ROOT, "detected language: %s (%.2f)", WhisperLanguages.name(d.language()), d.probs().get(d.language())));
        }

        @Override
        public void window(int seek, int contentFrames) {
            if (seek > lastSeek) progress.advance(seek - lastSeek);
            lastSeek = seek;
        }

        @Override
        public void fallback(int seek, DecodingResult r) {
            Progress.info(String.format(Locale.ROOT, "window at %.2f s: retrying above temperature %.1f (compression ratio %.2f, avg logprob %.2f)",
                    seek / 100.0 + offset, r.temperature(), r.compressionRatio(), r.avgLogprob()));
        }

        @Override
        public void segment(Segment s) {
            Progress.info("[" + TranscriptWriter.formatTimestamp(s.start() + offset, false, '.') + " --> "
                    + TranscriptWriter.formatTimestamp(s.end() + offset, false, '.') + "] " + s.text());
        }
    }
}
