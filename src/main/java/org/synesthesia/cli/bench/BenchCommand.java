package org.synesthesia.cli.bench;

import org.synesthesia.cli.Args;
import org.synesthesia.cli.Command;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.synesthesia.util.SynesthesiaException;

/** {@code bench MODE [options]}: quick timings without JMH, one bench mode per concern. */
public final class BenchCommand implements Command {
    @Override public String name() { return "bench"; }

    @Override public String summary() { return "time kernels and models (gemm, conv, attention, ...): GFLOPS and share of peak"; }

    @Override public String usage() {
        StringBuilder b = new StringBuilder("usage: synesthesia [--threads T] bench MODE [options]\n\nmodes:\n");
        modes().forEach((n, m) -> b.append(String.format(Locale.ROOT, "  %-10s %s%n", n, m.summary())));
        b.append("\nEvery GFLOPS figure is followed by its share of the machine's peak: bench peak's N-thread figure, measured\n"
                + "once per run on first use, or given with java -D" + Peak.PROPERTY + "=N.\n");
        b.append("synesthesia bench MODE --help shows a mode's options.");
        return b.toString();
    }

    @Override
    public String usage(java.util.List<String> args) {
        for (String a : args) {
            BenchMode m = modes().get(a);
            if (m != null) return m.usage();
        }
        return usage();
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("scalar", "json", "causal", "direct", "show");
    }

    @Override
    public int run(Args args) throws Exception {
        String mode = args.positional(0, "MODE");
        BenchMode m = modes().get(mode);
        if (m == null) throw new SynesthesiaException("bench: unknown mode '" + mode + "' (modes: " + String.join(", ", modes().keySet()) + ")");
        return m.run(args);
    }

    static Map<String, BenchMode> modes() {
        Map<String, BenchMode> m = new TreeMap<>();
        ServiceLoader.load(BenchMode.class, BenchCommand.class.getClassLoader()).forEach(x -> m.put(x.name(), x));
        return m;
    }

    /** {@code X.X GFLOPS (Y% of P measured peak)}: the rate and its share of {@link Peak#get()}, shared by the modes. */
    public static String gflops(double flops, double seconds) {
        double g = flops / seconds / 1e9;
        Peak p = Peak.get();
        return String.format(Locale.ROOT, "%.1f GFLOPS (%.0f%% of %.0f %s peak)", g, 100 * g / p.gflops(), p.gflops(), p.source());
    }
}
