package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.synesthesia.testing.VectorOnly;

/** The vector Adam update gives the scalar reference's bits on odd lengths, including values that flush to 0. */
@ExtendWith(VectorOnly.class)
class AdamStepTest {
    @Test
    void vectorEqualsScalarBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 7, 16, 33, 1000}) {
            float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
            for (int i = 0; i < n; i++) {
                p[i] = (float) r.nextGaussian();
                g[i] = i % 5 == 0 ? 0 : (float) (r.nextGaussian() * Math.pow(10, -r.nextInt(8)));
                m[i] = i % 7 == 0 ? 1e-38f : (float) (r.nextGaussian() * 1e-3);
                v[i] = i % 3 == 0 ? 2e-38f : (float) (r.nextDouble() * 1e-6);
            }
            float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
            for (int step = 0; step < 3; step++) {
                AdamStepVector.update(p, g, m, v, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f / 0.1f, (float) Math.sqrt(0.001), 1e-8f);
                AdamStepScalar.update(p2, g, m2, v2, n, 0.9f, 0.1f, 0.999f, 0.001f, 1e-3f / 0.1f, (float) Math.sqrt(0.001), 1e-8f);
            }
            assertArrayEquals(p2, p, "p, n=" + n);
            assertArrayEquals(m2, m, "m, n=" + n);
            assertArrayEquals(v2, v, "v, n=" + n);
            if (n > 35) assertEquals(0f, m[35], "m whose gradient is 0 decays below 2^-126 and is flushed"); // g[35] = 0, m[35] = 1e-38
        }
    }
}
