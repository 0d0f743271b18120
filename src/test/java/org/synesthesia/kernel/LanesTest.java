package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** {@link Lanes#sum} adds in its documented order, exactly, whatever the values. */
class LanesTest {
    /** The scalar reference: v[i] += v[(i + k) % L] for k = L/2, ..., 1 (all lanes at once), then lane 0. */
    static float reference(float[] lanes) {
        float[] v = lanes.clone();
        int l = v.length;
        for (int k = l / 2; k >= 1; k /= 2) {
            float[] next = new float[l];
            for (int i = 0; i < l; i++) next[i] = v[i] + v[(i + k) % l];
            v = next;
        }
        return v[0];
    }

    @Test
    void fixedOrderSum() {
        assumeTrue(Simd.available(), "Vector API not available");
        int l = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 2000; t++) {
            float[] a = new float[l];
            for (int i = 0; i < l; i++) a[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-3, 8)));
            float got = Lanes.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, 0));
            assertEquals(Float.floatToRawIntBits(reference(a)), Float.floatToRawIntBits(got), "lanes " + java.util.Arrays.toString(a));
        }
    }
}
