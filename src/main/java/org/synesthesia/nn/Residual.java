package org.synesthesia.nn;

import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;

/** The residual connection {@code x[i] += y[i]}, i < n, split over {@link Parallel}. */
public final class Residual {
    private Residual() {}

    public static void add(float[] x, float[] y, int n) {
        Parallel.forRange(n, Capture.ELEMENT_GRAIN * 4, (from, to) -> Ops.addInPlace(x, from, y, from, to - from));
    }
}
