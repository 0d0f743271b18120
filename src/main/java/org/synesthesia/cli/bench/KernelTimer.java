package org.synesthesia.cli.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.Json;

/** Timing and report lines shared by the kernel bench modes (conv, attention). */
final class KernelTimer {
    private KernelTimer() {}

    /**
     * Best wall time (s) of repeated runs (at least one) over about {@code seconds}, after one untimed run and a
     * warm-up of a third of that; the untimed runs never count (a cold first call pays JIT and page faults).
     */
    static double best(double seconds, Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        long warm = (long) (seconds * 1e9 / 3);
        while (System.nanoTime() - t0 < warm) r.run();
        long best = Long.MAX_VALUE, end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long s = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - s);
        } while (System.nanoTime() < end);
        return best / 1e9;
    }

    /** Wall time (s) of one run of {@code r} after one untimed warm-up run. */
    static double afterWarmUp(Runnable r) {
        r.run();
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e9;
    }

    /** One line: {@code MODE SHAPE KERNEL  T ms  G GFLOPS (P% of peak)}, or one JSON object with the same facts. */
    static void report(boolean json, String mode, String shape, String kernel, double flops, double seconds, Map<String, Object> extra) {
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", mode);
            o.put("shape", shape);
            o.put("kernel", kernel);
            o.putAll(extra);
            o.put("threads", Parallel.threads());
            o.put("seconds", seconds);
            o.put("gflops", flops / seconds / 1e9);
            System.out.println(Json.write(o));
        } else {
            System.out.printf(Locale.ROOT, "%s %-34s %-16s %9.3f ms  %s%n", mode, shape, kernel, seconds * 1e3, BenchCommand.gflops(flops, seconds));
        }
    }
}
