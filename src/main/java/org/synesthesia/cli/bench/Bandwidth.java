package org.synesthesia.cli.bench;

import org.synesthesia.kernel.BandwidthProbe;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.SynesthesiaException;

/**
 * The memory read bandwidth the memory-bound bench lines divide by: {@code -Dsynesthesia.bandwidthGBs=N} ("given"),
 * else {@link BandwidthProbe} on the pool's threads over {@link #PROBE_MIB} MiB, measured once per process on first
 * use ("measured").
 *
 * @param gbs    GB/s (10^9 bytes a second)
 * @param source "measured" or "given"
 */
public record Bandwidth(double gbs, String source) {
    public static final String PROPERTY = "synesthesia.bandwidthGBs";
    /** Size of the probe's array, MiB (far above the last-level cache). */
    public static final int PROBE_MIB = 256;

    private static Bandwidth measured;
    private static int measuredThreads;

    public static synchronized Bandwidth get() {
        String v = System.getProperty(PROPERTY);
        if (v != null && !v.isBlank()) {
            double g;
            try {
                g = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new SynesthesiaException("-D" + PROPERTY + " must be a number of GB/s, not '" + v + "'");
            }
            if (!(g > 0)) throw new SynesthesiaException("-D" + PROPERTY + " must be positive, not " + v);
            return new Bandwidth(g, "given");
        }
        int threads = Parallel.threads();
        if (measured == null || measuredThreads != threads) {
            measured = new Bandwidth(BandwidthProbe.measure(PROBE_MIB, 5), "measured");
            measuredThreads = threads;
        }
        return measured;
    }
}
