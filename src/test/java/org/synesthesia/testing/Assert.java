package org.synesthesia.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.synesthesia.tensor.Tensor;

/** Numeric comparisons with messages that say where and by how much. */
public final class Assert {
    private Assert() {}

    /** Max |a-b| over all elements. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            m = Math.max(m, d);
        }
        return m;
    }

    /** Fails unless every |actual-expected| <= atol + rtol*|expected|; reports the worst element. */
    public static void close(String what, float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        int worst = -1;
        double worstExcess = 0, maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxDiff = Math.max(maxDiff, d);
            double excess = d - (atol + rtol * Math.abs(expected[i]));
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        if (worst >= 0)
            fail(String.format("%s: element %d is %s, expected %s (|diff| %.3g > atol %.1g + rtol %.1g*|ref|); max |diff| %.3g",
                    what, worst, actual[worst], expected[worst], Math.abs(actual[worst] - expected[worst]), atol, rtol, maxDiff));
    }

    public static void close(String what, Tensor expected, Tensor actual, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        close(what, expected.toArray(), actual.toArray(), atol, 0);
    }
}
