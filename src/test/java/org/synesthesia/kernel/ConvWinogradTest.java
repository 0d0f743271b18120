package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/** {@link ConvWinograd} (F(2x2, 3x3)) against the direct {@link ConvScalar} on random odd shapes. */
class ConvWinogradTest {
    /** {N, C, H, W, O}: odd and even sizes, tile rows shorter and longer than a panel, images sharing a panel. */
    private static final int[][] CASES = {
            {1, 8, 7, 9, 12},
            {2, 9, 5, 3, 13},       // 3 tile columns: panels span tile rows and images
            {1, 13, 11, 75, 25},    // odd width with whole vectors of tiles and a scalar tail
            {1, 16, 6, 64, 24},     // 32 tile columns (the VAE's smallest rows): the last vector moved left
            {3, 10, 4, 130, 17},    // 65 tile columns, batch 3
            {1, 8, 1, 1, 12},       // one pixel
            {2, 21, 17, 40, 30},
    };

    @Test
    void matchesDirectConvolution() {
        assumeTrue(Simd.available());
        Random r = new Random(5);
        for (int[] c : CASES) {
            int N = c[0], C = c[1], H = c[2], W = c[3], O = c[4];
            ConvGeom g = new ConvGeom(N, C, H, W, O, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            assertTrue(ConvWinograd.fits(g));
            float[] x = ConvTest.random(r, N * C * H * W);
            float[] w = ConvTest.random(r, O * C * 9);
            float[] b = ConvTest.random(r, O);
            String name = java.util.Arrays.toString(c);
            for (WeightMatrix wm : new WeightMatrix[] {WeightMatrix.of(w, O, C * 9), ConvTest.f16(w, O, C * 9)}) {
                for (float[] bias : new float[][] {b, null}) {
                    float[] ref = ConvScalar.conv2d(x, N, C, H, W, wm, 3, 3, bias, 1, 1, 1, 1, 1, 1, 1);
                    // the input at an offset, the output over stale values: every output pixel is written
                    float[] xo = new float[x.length + 3];
                    System.arraycopy(x, 0, xo, 3, x.length);
                    float[] y = new float[ref.length];
                    java.util.Arrays.fill(y, Float.NaN);
                    ConvWinograd.conv2d(xo, 3, g, wm, bias, y);
                    Assert.close(name + " " + wm.name() + (bias == null ? " no bias" : ""), ref, y, 2e-5, 2e-5);
                }
            }
        }
    }

    @Test
    void onlyThreeByThreeStrideOnePadOne() {
        assertFalse(ConvWinograd.fits(new ConvGeom(1, 8, 9, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
        assertFalse(ConvWinograd.fits(new ConvGeom(1, 8, 9, 9, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1)));
        assertFalse(ConvWinograd.fits(new ConvGeom(1, 8, 9, 9, 16, 3, 3, 1, 1, 2, 2, 2, 2, 1)));
        assertFalse(ConvWinograd.fits(new ConvGeom(1, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2)));
        assertFalse(ConvWinograd.fits(new ConvGeom(1, 8, 9, 9, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1)));
        if (ConvWinograd.MIN_PIXELS > 81) assertFalse(ConvWinograd.applies(new ConvGeom(1, 8, 9, 9, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
    }
}
