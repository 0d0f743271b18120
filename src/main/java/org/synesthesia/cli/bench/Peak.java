package org.synesthesia.cli.bench;

import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.PeakProbe;

/**
 * The fp32 peak every bench line's share refers to: {@code -Dsynesthesia.peakGflops=N} ("given"), else the
 * {@link PeakProbe} on the pool's {@link Parallel#threads()} threads, measured once per process on first use
 * ("measured"; {@link #PROBE_SECONDS} of probing).
 *
 * @param gflops the peak, GFLOPS
 * @param source "measured" or "given"
 */
public record Peak(double gflops, String source) {
    /** The system property that gives the peak instead of measuring it. */
    public static final String PROPERTY = "synesthesia.peakGflops";
    /** Timed window of the lazy measurement, seconds (plus a third of that of warm-up). */
    public static final double PROBE_SECONDS = 0.3;

    private static final MachineFigure FIGURE =
            new MachineFigure(PROPERTY, "GFLOPS", threads -> PeakProbe.measure(threads, PROBE_SECONDS).gflops());

    /** The peak of this process: given, or measured on first use (again when the pool's size has changed). */
    public static Peak get() {
        return FIGURE.get(Peak::new);
    }
}
