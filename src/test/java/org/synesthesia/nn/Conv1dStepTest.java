package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/** {@link Conv1d#forwardStep} equals {@link Conv1d#forward} on one sample, over strides, padding, dilation and lengths. */
class Conv1dStepTest {
    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @Test
    void stepEqualsTheTiledConvolution() {
        SplittableRandom r = new SplittableRandom(3);
        int[][] cases = {{129, 128, 3, 1, 1, 1, 4}, {128, 64, 3, 2, 1, 1, 4}, {1, 258, 256, 128, 0, 1, 640}, {5, 7, 3, 1, 2, 2, 9}, {3, 4, 1, 1, 0, 1, 1}};
        for (int[] c : cases) {
            int in = c[0], out = c[1], k = c[2], stride = c[3], pad = c[4], dil = c[5], L = c[6];
            Conv1d conv = new Conv1d(WeightMatrix.of(random(r, out * in * k), out, in * k), random(r, out), k, stride, pad, dil, 1);
            float[] x = random(r, in * L);
            Tensor want = conv.forward(Tensor.of(x.clone(), 1, in, L));
            assertEquals(conv.outLength(L), want.dim(2));
            float[] got = conv.forwardStep(x, L);
            float[] w = want.toArray();
            assertEquals(w.length, got.length);
            for (int i = 0; i < w.length; i++) assertEquals(w[i], got[i], 1e-4 * (1 + Math.abs(w[i])), "case " + java.util.Arrays.toString(c) + " at " + i);
        }
    }
}
