package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.Resampler;
import org.synesthesia.image.ProbabilityPlot;
import org.synesthesia.io.WeightSource;
import org.synesthesia.util.Json;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vad.Segment;
import org.synesthesia.vad.SileroVad;
import org.synesthesia.vad.SpeechSegmenter;
import org.synesthesia.vad.VadOptions;

/**
 * {@code synesthesia vad FILE [--model M] [--threshold 0.5] [--min-speech-ms 250] [--min-silence-ms 100]
 * [--speech-pad-ms 30] [--max-speech-s S] [--json] [--png OUT]}: the speech segments Silero VAD finds in the (16 kHz) audio,
 * one {@code start end} line in seconds each, or one JSON object.
 */
public final class VadCommand implements Command {
    /** Environment variable naming the default Silero VAD checkpoint. */
    public static final String MODEL_ENV = "SYNESTHESIA_VAD_MODEL";

    @Override
    public String name() {
        return "vad";
    }

    @Override
    public String summary() {
        return "speech segments of an audio file (Silero VAD v6)";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia vad FILE [--model M] [--threshold P] [--min-speech-ms MS] [--min-silence-ms MS]
                                      [--speech-pad-ms MS] [--max-speech-s S] [--neg-threshold P] [--json] [--png OUT.png]

                Runs Silero VAD v6 (16 kHz, one speech probability per 32 ms window) over FILE (WAV or FLAC; mixed to
                mono, resampled to 16 kHz) and prints its speech segments as get_speech_timestamps finds them:
                one line "START END" in seconds (3 decimals) per segment.
                  --model M          silero_vad_v6_16k.safetensors (default: $%s)
                  --threshold P      speech at or above P (default 0.5)
                  --neg-threshold P  speech ends below P (default max(threshold - 0.15, 0.01))
                  --min-speech-ms    drop shorter segments (default 250)
                  --min-silence-ms   silence that ends a segment (default 100)
                  --speech-pad-ms    padding on each side (default 30)
                  --max-speech-s     split longer segments at their longest silence (default: no limit)
                  --json             one JSON object: segments in samples and seconds, window count
                  --png OUT.png      also draw the probability curve (red) over the waveform, speech shaded""".formatted(MODEL_ENV);
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("json");
    }

    @Override
    public int run(Args args) {
        Path file = Path.of(args.positional(0, "audio file"));
        String model = args.get("model", System.getenv(MODEL_ENV));
        double threshold = args.getDouble("threshold", 0.5);
        double neg = args.getDouble("neg-threshold", Math.max(threshold - 0.15, 0.01));
        double minSpeech = args.getDouble("min-speech-ms", 250);
        double minSilence = args.getDouble("min-silence-ms", 100);
        double pad = args.getDouble("speech-pad-ms", 30);
        double maxSpeech = args.getDouble("max-speech-s", Double.POSITIVE_INFINITY);
        boolean json = args.flag("json");
        Path png = args.has("png") ? Path.of(args.get("png", "")) : null;
        args.finish();
        if (png != null && !png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
            throw new SynesthesiaException("vad: --png must end in .png, not " + png);
        if (args.positionals().size() > 1) throw new SynesthesiaException("vad: one audio file expected, got " + args.positionals().size() + " (see synesthesia vad --help)");
        if (model == null || model.isBlank()) throw new SynesthesiaException("vad: no model: give --model silero_vad_v6_16k.safetensors or set " + MODEL_ENV);
        VadOptions options;
        try {
            options = new VadOptions(threshold, neg, minSpeech, minSilence, pad, maxSpeech, 98);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException("vad: " + e.getMessage());
        }
        Path modelFile = Path.of(model);
        if (!Files.isRegularFile(modelFile)) throw SynesthesiaException.inFile(modelFile, "no such model file");

        Audio audio = AudioFiles.read(file);
        Audio clip = Resampler.to16k(audio);
        float[] probs;
        long t0 = System.nanoTime();
        try (WeightSource src = SileroVad.open(modelFile)) {
            probs = new SileroVad(SileroVad.weights(src)).probabilities(clip.samples());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Segment> segments = SpeechSegmenter.segments(probs, clip.length(), options);
        Progress.info(String.format(Locale.ROOT, "%s: %.2f s, %d windows in %.2f s (%.0f windows/s), %d speech segment%s", file, clip.seconds(),
                probs.length, seconds, probs.length / Math.max(seconds, 1e-9), segments.size(), segments.size() == 1 ? "" : "s"));
        if (png != null) {
            long[][] spans = new long[segments.size()][];
            for (int i = 0; i < spans.length; i++) spans[i] = new long[] {segments.get(i).start(), segments.get(i).end()};
            ProbabilityPlot.writePng(png, clip.samples(), probs, SileroVad.WINDOW, options.threshold(), spans);
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("file", file.toString());
            o.put("sample_rate", SileroVad.SAMPLE_RATE);
            o.put("samples", clip.length());
            o.put("windows", probs.length);
            List<Object> segs = new ArrayList<>();
            for (Segment s : segments) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("start", s.start());
                m.put("end", s.end());
                m.put("start_s", s.startSeconds());
                m.put("end_s", s.endSeconds());
                segs.add(m);
            }
            o.put("segments", segs);
            System.out.println(Json.write(o));
        } else {
            for (Segment s : segments) System.out.printf(Locale.ROOT, "%.3f %.3f%n", s.startSeconds(), s.endSeconds());
        }
        return 0;
    }
}
