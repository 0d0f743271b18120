package org.synesthesia.cli.bench;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.cli.Args;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.vad.SileroVad;

/**
 * {@code bench vad}: Silero VAD windows per second on one thread (the network is one 32 ms window at a time, each
 * step depending on the last), with the checkpoint given or random weights of its shapes.
 */
public final class VadBenchMode implements BenchMode {
    @Override public String name() { return "vad"; }

    @Override public String summary() { return "Silero VAD: 32 ms windows per second (streaming, one window at a time)"; }

    @Override public String usage() {
        return """
                usage: synesthesia bench vad [--model silero_vad_v6_16k.safetensors] [--seconds S] [--json]

                Runs the Silero VAD v6 network window by window (512 samples of noise-like audio at 16 kHz, the
                LSTM state carried) for S seconds after a warm-up of S/3 and prints windows per second, the time
                per window and the real-time factor (32 ms of audio per window).
                  --model M   the real checkpoint (default: random weights of the same shapes)
                  --seconds   timed window (default 2)
                  --json      one JSON object
                """;
    }

    @Override
    public int run(Args args) {
        String model = args.get("model", null);
        double seconds = args.getDouble("seconds", 2);
        boolean json = args.flag("json");
        args.finish();
        if (!(seconds > 0) || seconds > 600) throw new SynesthesiaException("bench vad: --seconds must be in (0, 600], not " + args.get("seconds", ""));
        if (model != null) {
            try (WeightSource src = SileroVad.open(Path.of(model))) {
                return measure(new SileroVad(SileroVad.weights(src)), "checkpoint " + model, seconds, json);
            }
        }
        try (Arena arena = Arena.ofShared()) {
            return measure(new SileroVad(Weights.random("Silero VAD", 1, arena)), "random weights", seconds, json);
        }
    }

    private static int measure(SileroVad vad, String what, double seconds, boolean json) {
        float[] audio = new float[SileroVad.SAMPLE_RATE * 4];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < audio.length; i++) audio[i] = (float) (0.1 * r.nextGaussian());
        int windows = audio.length / SileroVad.WINDOW;
        run(vad, audio, windows, (long) (seconds / 3 * 1e9));
        long[] done = run(vad, audio, windows, (long) (seconds * 1e9));
        double s = done[1] / 1e9, rate = done[0] / s;
        double usPerWindow = 1e6 / rate, realtime = rate * SileroVad.WINDOW / SileroVad.SAMPLE_RATE;
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", "vad");
            o.put("weights", what);
            o.put("windows", done[0]);
            o.put("seconds", s);
            o.put("windows_per_second", rate);
            o.put("us_per_window", usPerWindow);
            o.put("realtime_factor", realtime);
            System.out.println(Json.write(o));
        } else {
            System.out.printf(Locale.ROOT, "vad (%s): %d windows in %.2f s: %.0f windows/s, %.1f us per 32 ms window, %.0fx real time%n",
                    what, done[0], s, rate, usPerWindow, realtime);
        }
        return 0;
    }

    /** Windows run until {@code nanos} have passed: {count, elapsed ns}. */
    private static long[] run(SileroVad vad, float[] audio, int windows, long nanos) {
        SileroVad.State st = vad.newState();
        long[] out = new long[2];
        // as SileroVad.probabilities runs them: the stream of windows on one pool thread
        Parallel.serially(() -> {
            long t0 = System.nanoTime(), n = 0, el;
            do {
                for (int i = 0; i < windows; i++) vad.window(audio, i * SileroVad.WINDOW, st);
                n += windows;
                el = System.nanoTime() - t0;
            } while (el < nanos);
            out[0] = n;
            out[1] = el;
        });
        return out;
    }
}
