package org.synesthesia.cli.bench;

import java.util.function.IntToDoubleFunction;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.SynesthesiaException;

/**
 * A figure of the machine that bench lines divide by (the fp32 peak, the read bandwidth): {@code -Dproperty=N}
 * ("given"), else {@code probe(threads)} on the pool's {@link Parallel#threads()} threads, measured once per
 * process on first use and again when the pool's size changes ("measured").
 */
final class MachineFigure {
    private final String property, unit;
    private final IntToDoubleFunction probe;
    private double measured;
    private int measuredThreads = -1;

    MachineFigure(String property, String unit, IntToDoubleFunction probe) {
        this.property = property;
        this.unit = unit;
        this.probe = probe;
    }

    /** The value and "given" or "measured", passed to {@code make}. */
    synchronized <T> T get(java.util.function.BiFunction<Double, String, T> make) {
        String v = System.getProperty(property);
        if (v != null && !v.isBlank()) {
            double g;
            try {
                g = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new SynesthesiaException("-D" + property + " must be a number of " + unit + ", not '" + v + "'");
            }
            if (!(g > 0)) throw new SynesthesiaException("-D" + property + " must be positive, not " + v);
            return make.apply(g, "given");
        }
        int threads = Parallel.threads();
        if (measuredThreads != threads) {
            measured = probe.applyAsDouble(threads);
            measuredThreads = threads;
        }
        return make.apply(measured, "measured");
    }
}
