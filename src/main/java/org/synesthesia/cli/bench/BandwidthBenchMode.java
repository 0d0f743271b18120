package org.synesthesia.cli.bench;

import java.util.Locale;
import org.synesthesia.cli.Args;
import org.synesthesia.kernel.BandwidthProbe;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench bandwidth}: memory read bandwidth ({@link BandwidthProbe}) on 1 thread and on the pool's N threads; N
 * threads' figure is the one the decoder's floor divides by.
 */
public final class BandwidthBenchMode implements BenchMode {
    @Override public String name() { return "bandwidth"; }

    @Override public String summary() { return "memory read bandwidth, 1 and N threads (the floor of memory-bound steps)"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench bandwidth [--mib M] [--passes P]

                Sums a float32 heap array of M MiB (default %d), split over 1 and T threads (default: all cores), P
                timed passes after one untimed (default 5), and prints GB/s of the fastest pass.
                """.formatted(Bandwidth.PROBE_MIB);
    }

    @Override
    public int run(Args args) {
        int mib = args.getInt("mib", Bandwidth.PROBE_MIB), passes = args.getInt("passes", 5);
        args.finish();
        if (mib < 1 || mib > 16384) throw new SynesthesiaException("bench bandwidth: --mib must be in [1, 16384]");
        if (passes < 1) throw new SynesthesiaException("bench bandwidth: --passes must be >= 1");
        int n = Parallel.threads();
        for (int t : n > 1 ? new int[] {1, n} : new int[] {1}) {
            Parallel.setThreads(t);
            double g = BandwidthProbe.measure(mib, passes);
            System.out.printf(Locale.ROOT, "bandwidth %d MiB %2d thread%s %6.1f GB/s%n", mib, t, t == 1 ? " " : "s", g);
        }
        Parallel.setThreads(n);
        return 0;
    }
}
