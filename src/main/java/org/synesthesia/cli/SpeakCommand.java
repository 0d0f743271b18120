package org.synesthesia.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.LineMicrophone;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.Microphone;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.image.PngWriter;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.StableDiffusionPipeline;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.pipeline.PromptCleaner;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.MemoryStats;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.Transcriber;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.TranscriptWriter;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperTokenizer;
import org.synesthesia.whisper.WhisperTokenizers;

/**
 * {@code synesthesia speak [--record S | --audio FILE] --whisper MODEL --sd MODEL --out image.png}: speech to image.
 * Records (or reads) the audio, transcribes it with Whisper, closes Whisper, cleans the transcript into a prompt
 * ({@link PromptCleaner}) and generates the image with Stable Diffusion; writes the PNG (parameters, transcript and
 * prompt text chunks) and a {@code .txt} sidecar, both only when every stage succeeded.
 */
public final class SpeakCommand implements Command {
    @Override
    public String name() {
        return "speak";
    }

    @Override
    public String summary() {
        return "speech to image: record or read audio, transcribe with Whisper, generate with Stable Diffusion";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia speak [--record S | --audio FILE [--from S --to S]] --whisper MODEL --sd MODEL
                         [--out image.png] [options]

                Turns speech into an image: S seconds from the microphone (default: record 10 s) or FILE's window,
                transcribed with Whisper, non-speech annotations removed, then Stable Diffusion on the text.
                Writes OUT (PNG with parameters, transcript and prompt text chunks) and OUT with .txt (the same as text).
                  --whisper MODEL         whisper checkpoint (as transcribe --model)
                  --tokenizer DIR         whisper's tiktoken folder (as transcribe --tokenizer)
                  --language xx|auto      spoken language (default auto)
                  --beam-size N           beams at temperature 0 (default 5; 0: greedy)
                  --no-fallback           no retries at higher temperatures
                  --keep-audio PATH       also write the (recorded or read) audio as a 16 kHz WAV
                  --sd MODEL              Stable Diffusion folder, single-file checkpoint or converted .gguf (as generate --model)
                  --sd-tokenizer PATH     CLIP tokenizer (as generate --tokenizer)
                  --negative, --steps, --scheduler, --guidance, --seed, --width, --height, --latents,
                  --prediction-type       as for generate""";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("no-fallback");
    }

    @Override
    public int run(Args args) throws IOException {
        Double recordSeconds = args.has("record") ? args.getDouble("record", Microphone.DEFAULT_SECONDS) : null;
        Path audioFile = args.path("audio");
        Double from = args.has("from") ? args.getDouble("from", 0) : null;
        Double to = args.has("to") ? args.getDouble("to", 0) : null;
        Path whisperPath = Path.of(args.require("whisper"));
        Path tokenizerDir = args.path("tokenizer");
        String language = args.get("language", "auto");
        int beamSize = args.getInt("beam-size", 5);
        boolean noFallback = args.flag("no-fallback");
        Path keepAudio = args.path("keep-audio");
        Path sd = Path.of(args.require("sd"));
        Path sdTokenizer = args.path("sd-tokenizer");
        String negative = args.get("negative", "");
        int steps = args.getInt("steps", 50);
        String schedName = args.get("scheduler", null);
        double guidance = args.getDouble("guidance", 7.5);
        long seed = args.has("seed") ? args.getLong("seed", 0) : (System.nanoTime() ^ System.currentTimeMillis()) & 0xffffffffL;
        boolean sizeGiven = args.has("width") || args.has("height");
        int width = args.getInt("width", 512), height = args.getInt("height", 512);
        Path latentsFile = args.path("latents");
        String pred = args.get("prediction-type", null);
        Path out = Path.of(args.get("out", "image.png"));
        args.finish();
        if (!args.positionals().isEmpty()) throw new SynesthesiaException("speak: unexpected argument '" + args.positionals().get(0) + "' (see synesthesia speak --help)");
        if (recordSeconds != null && audioFile != null) throw new SynesthesiaException("speak: give --record S or --audio FILE, not both");
        if (audioFile == null && (from != null || to != null)) throw new SynesthesiaException("speak: --from/--to need --audio FILE");
        if (recordSeconds != null && (!(recordSeconds > 0) || recordSeconds > 3600))
            throw new SynesthesiaException("speak: --record must be between 0 and 3600 seconds, not " + args.get("record", ""));
        if (beamSize < 0) throw new SynesthesiaException("speak: --beam-size must be >= 0, not " + beamSize);
        PredictionType prediction = GenerateCommand.checkSettings("speak", steps, width, height, guidance, schedName, pred);
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
            throw new SynesthesiaException("speak: --out must end in .png, not " + out);
        if (!Files.exists(whisperPath)) throw SynesthesiaException.inFile(whisperPath, "no such whisper model file or folder");
        if (!Files.exists(sd)) throw SynesthesiaException.inFile(sd, "no such Stable Diffusion model file or folder");
        TimeWindow window = TimeWindow.of(from, to);
        Tensor initial = latentsFile == null ? null : GenerateCommand.readLatents(latentsFile);

        // 1. audio: 16 kHz mono
        long t0 = System.nanoTime();
        Audio audio;
        if (audioFile != null) {
            audio = Resampler.to16k(org.synesthesia.audio.AudioFiles.read(audioFile, window));
            stage("read audio", t0);
        } else {
            audio = Resampler.to16k(record(recordSeconds == null ? Microphone.DEFAULT_SECONDS : recordSeconds));
            stage("record", t0);
        }

        // 2. transcript (Whisper closed before Stable Diffusion allocates)
        String transcript;
        try (Whisper whisper = timed("load whisper", () -> Whisper.load(whisperPath))) {
            WhisperTokenizer tokenizer = WhisperTokenizers.forModel(whisper, tokenizerDir, whisperPath, "speak");
            TranscribeOptions options = TranscribeCommand.options("speak", whisper, tokenizer, whisperPath, language,
                    WhisperTokenizer.Task.TRANSCRIBE, beamSize, null, null, 5, 0, noFallback, true, false, null, 0);
            Tensor mel = timed("mel", () -> LogMel.forTranscription(audio.samples(), whisper.melFilters()));
            Transcript t = timed("transcription (encoder + decoding)",
                    () -> Transcriber.of(whisper, tokenizer).transcribe(mel, options, Transcriber.Listener.NONE));
            transcript = transcriptText(t);
        }
        Progress.info("speak: transcript: " + transcript);
        String prompt = promptOf(transcript);
        Progress.info("speak: prompt: " + prompt);

        // 3. image
        long loadSd = System.nanoTime();
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(sd, sdTokenizer, schedName, prediction)) {
            stage("load stable diffusion", loadSd);
            Progress.info("speak: " + pipe.describe());
            int f = pipe.vaeScaleFactor();
            if (initial != null) {
                int[] s = initial.shape();
                if (s.length != 4 || s[0] != 1 || s[1] != pipe.unet().config().inChannels())
                    throw SynesthesiaException.inFile(latentsFile, "latents have shape " + java.util.Arrays.toString(s)
                            + ", expected [1, " + pipe.unet().config().inChannels() + ", h, w]");
                if (sizeGiven && (s[2] * f != height || s[3] * f != width))
                    throw SynesthesiaException.inFile(latentsFile, "latents " + s[2] + "x" + s[3] + " do not match --width " + width + " --height " + height);
                height = s[2] * f;
                width = s[3] * f;
            }
            StableDiffusionPipeline.Request req;
            try {
                req = new StableDiffusionPipeline.Request(prompt, negative, steps, guidance, width, height, 1, seed,
                        initial == null ? null : initial.toArray());
                pipe.latentShape(req);
            } catch (IllegalArgumentException e) {
                throw new SynesthesiaException("speak: " + e.getMessage());
            }
            long tGen = System.nanoTime();
            long[] last = {tGen};
            StableDiffusionPipeline.Result r;
            try (Progress p = Progress.start("speak", steps, "steps")) {
                r = pipe.generate(req, (k, total, ts, lat, x0) -> {
                    long now = System.nanoTime();
                    p.step();
                    Progress.info(String.format(Locale.ROOT, "speak: step %d/%d %s%.3f s", k, total,
                            k == 1 ? "(with the text encoder) " : "", (now - last[0]) / 1e9));
                    last[0] = now;
                });
            }
            long end = System.nanoTime();
            Progress.info(String.format(Locale.ROOT, "speak: denoising total %.3f s (text encoder + %d steps)", (last[0] - tGen) / 1e9, steps));
            Progress.info(String.format(Locale.ROOT, "speak: vae decode %.3f s", (end - last[0]) / 1e9));

            String params = GenerateCommand.parameters(prompt, negative, steps, pipe.scheduler().name(), guidance, seed, width, height, sd);
            Map<String, String> text = new LinkedHashMap<>();
            text.put("parameters", params);
            text.put("transcript", transcript);
            text.put("prompt", prompt);
            text.put("Software", "synesthesia");
            Path txt = GenerateCommand.sibling(out, ".txt");
            String sidecar = "transcript: " + transcript + "\nprompt: " + prompt + "\nparameters: " + params.replace("\n", "\n  ") + "\n";
            if (keepAudio != null) WavWriter.write(keepAudio, audio, WavWriter.Encoding.PCM16);
            PngWriter.write(out, r.image().slice(0, 0, 1).contiguous(), PngWriter.Range.ZERO_TO_ONE, text);
            try {
                AtomicFiles.write(txt, o -> o.write(sidecar.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                Files.deleteIfExists(out);
                throw SynesthesiaException.inFile(txt, "cannot write: " + e.getMessage());
            }
            Progress.info("speak: wrote " + out + " and " + txt);
        }
        Progress.info(peakMemory());
        return 0;
    }

    /** The transcript as {@code transcribe} prints it (one line per segment), on one line. */
    static String transcriptText(Transcript t) {
        return TranscriptWriter.format(t, TranscriptWriter.Format.TXT).lines().map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
    }

    /** The prompt of {@code transcript}; a one-line error when nothing speakable is left. */
    static String promptOf(String transcript) {
        String prompt = PromptCleaner.clean(transcript);
        if (prompt.isEmpty()) throw new SynesthesiaException("speak: nothing speakable in the transcript \"" + transcript.strip() + "\"");
        return prompt;
    }

    private static Audio record(double seconds) {
        try (Microphone mic = LineMicrophone.open(RecordCommand.lines)) {
            Progress.info(String.format(Locale.ROOT, "speak: recording %.1f s from %s", seconds, mic.description()));
            long total = (long) Math.ceil(seconds);
            try (Progress p = Progress.start("recording", total, "s")) {
                long[] shown = {0};
                return mic.record(seconds, s -> {
                    long whole = s >= seconds ? total : Math.min(total, (long) Math.floor(s + 1e-9));
                    if (whole > shown[0]) {
                        p.advance(whole - shown[0]);
                        shown[0] = whole;
                    }
                });
            }
        }
    }

    private interface Stage<T> {
        T run() throws IOException;
    }

    private static <T> T timed(String name, Stage<T> s) throws IOException {
        long t0 = System.nanoTime();
        T v = s.run();
        stage(name, t0);
        return v;
    }

    private static void stage(String name, long t0) {
        Progress.info(String.format(Locale.ROOT, "speak: %s %.3f s", name, (System.nanoTime() - t0) / 1e9));
    }

    /** Peak heap (sum of the heap pools' peaks) and, on Linux, the peak resident set (VmHWM). */
    static String peakMemory() {
        String s = String.format(Locale.ROOT, "speak: peak memory: heap %.1f MiB", MemoryStats.peakHeap() / 1048576.0);
        long rss = MemoryStats.residentPeak();
        return rss < 0 ? s : s + ", resident (VmHWM) " + MemoryStats.mib(rss);
    }
}
