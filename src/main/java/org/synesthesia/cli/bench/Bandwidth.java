package org.synesthesia.cli.bench;

import org.synesthesia.kernel.BandwidthProbe;

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

    private static final MachineFigure FIGURE =
            new MachineFigure(PROPERTY, "GB/s", threads -> BandwidthProbe.measure(PROBE_MIB, 5));

    /** The bandwidth of this process: given, or measured on first use (again when the pool's size has changed). */
    public static Bandwidth get() {
        return FIGURE.get(Bandwidth::new);
    }
}
