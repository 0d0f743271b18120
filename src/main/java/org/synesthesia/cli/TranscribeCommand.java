package org.synesthesia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.kernel.Parallel;
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
                  --output-format F       txt, srt, vtt, tsv, json, lrc, csv or all: what --output-dir gets (default
                                          all) and, for one format, what stdout gets (default and all: txt)
                  --output-dir DIR        write FILE's name with each format's extension there (atomically)
                  --output-file BASE      write BASE.<ext> for each format (whisper-cli's -of; atomically, every
                                          target checked writable before the transcription starts)
                  --output-txt, --output-srt, --output-vtt, --output-json, --output-tsv, --output-lrc, --output-csv
                                          formats to write, as many as wanted (instead of --output-format)
                  --detect-language       print the detected language and its probability, then stop
                  --print-progress        a "progress = N%" line on stderr per 30 s window (--quiet silences it)

                whisper-cli spellings: -m --model, -f FILE, -l --language, -t N (threads), -bs --beam-size,
                  -bo --best-of, -tr/--translate (--task translate), --prompt (--initial-prompt),
                  -nt/--no-timestamps (--without-timestamps), -nf (--no-fallback), -otxt -osrt -ovtt -oj -olrc -ocsv
                  (--output-txt ...), -of --output-file, -pp --print-progress, -dl --detect-language""";
    }

    /** The output format flags ({@code --output-txt} ...) and the format each selects. */
    private static final Map<String, TranscriptWriter.Format> FORMAT_FLAGS = formatFlags();

    /** whisper-cli's spellings (as typed) to this command's long names; a value after '=' is the option's value. */
    static final Map<String, String> WHISPER_CLI_ALIASES = Map.ofEntries(
            Map.entry("-m", "model"), Map.entry("-f", "file"), Map.entry("-l", "language"), Map.entry("-t", "threads"),
            Map.entry("-bs", "beam-size"), Map.entry("-bo", "best-of"), Map.entry("-tr", "task=translate"),
            Map.entry("--translate", "task=translate"), Map.entry("--prompt", "initial-prompt"),
            Map.entry("-nt", "without-timestamps"), Map.entry("--no-timestamps", "without-timestamps"),
            Map.entry("-nf", "no-fallback"), Map.entry("-otxt", "output-txt"), Map.entry("-osrt", "output-srt"),
            Map.entry("-ovtt", "output-vtt"), Map.entry("-oj", "output-json"), Map.entry("-olrc", "output-lrc"),
            Map.entry("-ocsv", "output-csv"), Map.entry("-of", "output-file"), Map.entry("-pp", "print-progress"),
            Map.entry("-dl", "detect-language"));

    private static Map<String, TranscriptWriter.Format> formatFlags() {
        Map<String, TranscriptWriter.Format> m = new LinkedHashMap<>();
        for (TranscriptWriter.Format f : TranscriptWriter.Format.values()) m.put("output-" + f.extension(), f);
        return m;
    }

    @Override
    public java.util.Set<String> flags() {
        Set<String> flags = new HashSet<>(TranscriptionArgs.FLAGS);
        flags.addAll(FORMAT_FLAGS.keySet());
        flags.add("detect-language");
        flags.add("print-progress");
        return flags;
    }

    @Override
    public Map<String, String> aliases() {
        return WHISPER_CLI_ALIASES;
    }

    @Override
    public int run(Args args) {
        String fileOption = args.get("file", null);
        if (fileOption != null && !args.positionals().isEmpty())
            throw new SynesthesiaException("transcribe: the audio file given twice (-f and " + args.positionals().get(0) + ")");
        Path file = Path.of(fileOption != null ? fileOption : args.positional(0, "audio file"));
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path modelPath = Path.of(args.require("model"));
        Path tokenizerDir = args.path("tokenizer");
        int threads = args.getInt("threads", 0);
        if (args.has("threads") && threads <= 0) throw new SynesthesiaException("transcribe: -t must be a positive integer, not " + threads);
        TranscriptionArgs options = TranscriptionArgs.read(args);
        boolean formatGiven = args.has("output-format");
        String format = args.get("output-format", "all");
        List<TranscriptWriter.Format> flagged = new ArrayList<>();
        for (var e : FORMAT_FLAGS.entrySet()) if (args.flag(e.getKey())) flagged.add(e.getValue());
        Path outputDir = args.path("output-dir");
        Path outputFile = args.path("output-file");
        boolean detectOnly = args.flag("detect-language");
        boolean printProgress = args.flag("print-progress");
        args.finish();
        if (args.positionals().size() > (fileOption != null ? 0 : 1))
            throw new SynesthesiaException("transcribe: one audio file expected, got " + (args.positionals().size() + (fileOption != null ? 1 : 0)) + " (see synesthesia transcribe --help)");
        if (formatGiven && !flagged.isEmpty())
            throw new SynesthesiaException("transcribe: --output-format and --output-" + flagged.get(0).extension() + " both choose formats; give one of them");
        if (outputDir != null && outputFile != null)
            throw new SynesthesiaException("transcribe: --output-dir and --output-file both name where to write; give one of them");
        TranscriptionSettings settings = options.settings("transcribe");
        List<TranscriptWriter.Format> formats = flagged.isEmpty() ? formats(format) : flagged;
        AudioSource source = new AudioSource.FileWindow(file, TimeWindow.of(from, to));
        if (threads > 0) Parallel.setThreads(threads);

        if (detectOnly) {
            LanguageDetection d = new Transcription("transcribe", new TranscribeListener(file, false))
                    .detectLanguage(source, new ModelFiles(modelPath, tokenizerDir));
            System.out.printf(Locale.ROOT, "%s\t%s\t%.6f%n", d.language(), WhisperLanguages.name(d.language()), d.probs().get(d.language()));
            System.out.flush();
            return 0;
        }
        // where the files go, checked before the transcription so a bad path costs nothing
        List<Path> targets = List.of();
        if (outputFile != null) targets = TranscriptWriter.targets(outputFile, formats);
        for (Path p : targets) AtomicFiles.checkWritable(p);

        Transcript t = new Transcription("transcribe", new TranscribeListener(file, printProgress)).transcribe(source,
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
            targets = TranscriptWriter.writeAll(outputDir, file, t, formats);
        } else if (outputFile != null) {
            TranscriptWriter.writeAll(targets, t, formats);
        }
        for (Path p : targets) Progress.info("wrote " + p);
        return 0;
    }

    static List<TranscriptWriter.Format> formats(String s) {
        if (s.equalsIgnoreCase("all")) return List.of(TranscriptWriter.Format.values());
        return List.of(TranscriptWriter.Format.parse(s));
    }

    /** The file and model on one line, then segments and fallbacks as they come; the frames done drive the progress line. */
    private static final class TranscribeListener extends StderrListener {
        private final Path file;
        private final boolean printProgress;
        private int lastSeek;
        private int lastPercent = -1;

        TranscribeListener(Path file, boolean printProgress) {
            super("transcribe", 0);
            this.file = file;
            this.printProgress = printProgress;
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
            // whisper-cli's -pp: the share of the content frames done, 100 * seek / contentFrames, once per value
            int percent = contentFrames > 0 ? (int) (100L * Math.min(seek, contentFrames) / contentFrames) : 100;
            if (printProgress && percent != lastPercent) Progress.info("transcribe: progress = " + percent + "%");
            lastPercent = percent;
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
