package org.synesthesia.cli.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.cli.Args;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.PeakProbe;
import org.synesthesia.kernel.Simd;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench peak}: the fp32 FMA peak ({@link PeakProbe}) at the widest vector shape on 1 thread and on the pool's
 * N threads; N threads' figure is what every other mode's "% of peak" divides by.
 */
public final class PeakBenchMode implements BenchMode {
    @Override public String name() { return "peak"; }

    @Override public String summary() { return "fp32 FMA peak at the widest vector shape, 1 and N threads (the base of every share of peak)"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench peak [--seconds S] [--scalar] [--json]

                Runs %d independent FMA chains per thread on FloatVector.SPECIES_PREFERRED vectors for S seconds (after
                a warm-up of S/3) on 1 thread and on T threads (default: all cores) and prints GFLOPS = 2 x lanes x FMAs
                / time for each. The other modes print their share of the T-thread figure, measured once per run
                (%.1f s), unless -D%s=N gives it.
                  --seconds   timed window per thread count (default 0.5)
                  --scalar    also probe the scalar twin (one float per FMA)
                  --json      one JSON object per line
                """.formatted(PeakProbe.CHAINS, Peak.PROBE_SECONDS, Peak.PROPERTY);
    }

    @Override
    public int run(Args args) {
        double seconds = args.getDouble("seconds", 0.5);
        boolean scalar = args.flag("scalar"), json = args.flag("json");
        args.finish();
        if (!(seconds > 0) || seconds > 60) throw new SynesthesiaException("bench peak: --seconds must be in (0, 60], not " + args.get("seconds", ""));
        int n = Parallel.threads();
        if (!json) System.out.println("bench peak: " + PeakProbe.describe(false) + "; " + n + " threads in the pool");
        for (boolean sc : scalar && Simd.available() ? new boolean[] {false, true} : new boolean[] {false}) {
            report(json, sc, PeakProbe.measure(1, seconds, sc));
            if (n > 1) report(json, sc, PeakProbe.measure(n, seconds, sc));
        }
        return 0;
    }

    private static void report(boolean json, boolean scalar, PeakProbe.Result r) {
        String kernel = scalar || !Simd.available() ? "scalar" : "vector";
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", "peak");
            o.put("kernel", kernel);
            o.put("lanes", r.lanes());
            o.put("chains", PeakProbe.CHAINS);
            o.put("threads", r.threads());
            o.put("seconds", r.seconds());
            o.put("gflops", r.gflops());
            System.out.println(Json.write(o));
        } else {
            System.out.printf(Locale.ROOT, "peak %-6s %2d lanes %3d thread%s %9.1f GFLOPS (%.1f per thread)%n", kernel, r.lanes(),
                    r.threads(), r.threads() == 1 ? " " : "s", r.gflops(), r.gflops() / r.threads());
        }
    }
}
