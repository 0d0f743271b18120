package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/** {@link ConvPacked} (implicit im2col) against {@link ConvScalar} on random odd shapes of one group. */
class ConvPackedTest {
    /** {N, C, H, W, O, kh, kw, sh, sw, ph, pw, dh, dw} */
    private static final int[][] CASES = {
            {1, 3, 7, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1},
            {2, 4, 9, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1},       // stride 2, batch 2
            {1, 5, 17, 13, 3, 3, 3, 1, 1, 2, 2, 2, 2},      // dilation 2
            {1, 2, 8, 9, 13, 7, 7, 1, 1, 3, 3, 1, 1},       // kernel 7, O past one MR panel
            {1, 3, 6, 17, 5, 2, 5, 3, 1, 0, 2, 2, 3},       // rectangular everything
            {1, 3, 9, 9, 2, 1, 1, 2, 2, 0, 0, 1, 1},        // 1x1 stride 2
            {1, 8, 3, 3, 4, 3, 3, 1, 1, 4, 4, 1, 1},        // padding larger than the kernel
            {1, 30, 1, 700, 25, 1, 11, 1, 1, 0, 25, 1, 5},  // conv1d k11 dilation 5 (HiFi-GAN), K past one depth block
            {2, 19, 1, 613, 14, 1, 7, 1, 1, 0, 3, 1, 1},    // conv1d k7, batch 2, chunks with a tail
            {1, 9, 40, 70, 12, 3, 3, 1, 1, 1, 1, 1, 1},     // rows longer than a panel
    };

    @Test
    void matchesScalar() {
        assumeTrue(Simd.available());
        Random r = new Random(13);
        for (int[] c : CASES) {
            ConvGeom g = new ConvGeom(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], 1);
            float[] x = ConvTest.random(r, g.N() * g.C() * g.H() * g.W());
            float[] w = ConvTest.random(r, g.O() * g.K());
            float[] b = ConvTest.random(r, g.O());
            String name = java.util.Arrays.toString(c);
            for (WeightMatrix wm : new WeightMatrix[] {WeightMatrix.of(w, g.O(), g.K()), ConvTest.f16(w, g.O(), g.K())})
                for (float[] bias : new float[][] {b, null}) {
                    float[] ref = ConvScalar.conv2d(x, g.N(), g.C(), g.H(), g.W(), wm, g.kh(), g.kw(), bias, g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), 1);
                    float[] xo = new float[x.length + 7];
                    System.arraycopy(x, 0, xo, 7, x.length);
                    float[] y = new float[ref.length];
                    java.util.Arrays.fill(y, Float.NaN);
                    ConvPacked.conv2d(xo, 7, g, wm, bias, y);
                    Assert.close(name + " " + wm.name() + (bias == null ? " no bias" : ""), ref, y, 1e-5, 1e-5);
                }
        }
    }
}
