package org.synesthesia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.pipeline.AudioSource;
import org.synesthesia.pipeline.ModelFiles;
import org.synesthesia.pipeline.Transcription;
import org.synesthesia.pipeline.TranscriptionSettings;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.DecodingResult;
import org.synesthesia.whisper.LanguageDetection;
import org.synesthesia.whisper.Segment;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.TranscriptWriter;
import org.synesthesia.whisper.WhisperLanguages;

/**
 * {@code synesthesia transcribe FILE --model PATH ...}: speech to text with Whisper, as openai's {@code whisper}
 * command does it (beam 5 at temperature 0, best of 5 when falling back to 0.2 ... 1.0, conditioned on the previous
 * text), by {@link Transcription} with the options as {@link TranscriptionSettings}. The transcript goes to stdout,
 * progress and segments to stderr, files to {@code --output-dir}.
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
                  --output-format F       txt, srt, vtt, tsv, json or all: what --output-dir gets (default all) and,
                                          for one format, what stdout gets (default and all: txt)
                  --output-dir DIR        write FILE's name with each format's extension there (atomically)""";
    }

    @Override
    public java.util.Set<String> flags() {
        return TranscriptionArgs.FLAGS;
    }

    @Override
    public int run(Args args) {
        Path file = Path.of(args.positional(0, "audio file"));
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path modelPath = Path.of(args.require("model"));
        Path tokenizerDir = args.path("tokenizer");
        TranscriptionArgs options = TranscriptionArgs.read(args);
        String format = args.get("output-format", "all");
        Path outputDir = args.path("output-dir");
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("transcribe: one audio file expected, got " + args.positionals().size() + " (see synesthesia transcribe --help)");
        TranscriptionSettings settings = options.settings("transcribe");
        List<TranscriptWriter.Format> formats = formats(format);
        AudioSource source = new AudioSource.FileWindow(file, TimeWindow.of(from, to));

        Transcript t = new Transcription("transcribe", new TranscribeListener(file)).transcribe(source,
                new ModelFiles(modelPath, tokenizerDir), settings).transcript();
        // stdout: the one format asked for, else plain text
        System.out.print(TranscriptWriter.format(t, formats.size() == 1 ? formats.get(0) : TranscriptWriter.Format.TXT));
        System.out.flush();
        if (outputDir != null) {
            try {
                Files.createDirectories(outputDir);
            } catch (IOException e) {
                throw SynesthesiaException.inFile(outputDir, "cannot create the output folder (" + e.getMessage() + ")");
            }
            for (Path p : TranscriptWriter.writeAll(outputDir, file, t, formats)) Progress.info("wrote " + p);
        }
        return 0;
    }

    static List<TranscriptWriter.Format> formats(String s) {
        if (s.equalsIgnoreCase("all")) return List.of(TranscriptWriter.Format.values());
        return List.of(TranscriptWriter.Format.parse(s));
    }

    /** The file and model on one line, then segments and fallbacks as they come; the frames done drive the progress line. */
    private static final class TranscribeListener extends StderrListener {
        private final Path file;
        private int lastSeek;

        TranscribeListener(Path file) {
            super("transcribe", 0);
            this.file = file;
        }

        @Override
        public void transcriptionStarted(double audioSeconds, int contentFrames, String model) {
            Progress.info(String.format(Locale.ROOT, "transcribe: %s, %.2f s of audio, %s", file, audioSeconds, model));
            progress = Progress.start("transcribe", contentFrames, "frames");
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
        public void fallback(double seconds, DecodingResult r) {
            Progress.info(String.format(Locale.ROOT, "window at %.2f s: retrying above temperature %.1f (compression ratio %.2f, avg logprob %.2f)",
                    seconds, r.temperature(), r.compressionRatio(), r.avgLogprob()));
        }

        @Override
        public void segment(Segment s) {
            Progress.info("[" + TranscriptWriter.formatTimestamp(s.start(), false, '.') + " --> "
                    + TranscriptWriter.formatTimestamp(s.end(), false, '.') + "] " + s.text());
        }
    }
}
