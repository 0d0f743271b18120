package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** {@link Conv} and {@link ConvGemm} against {@link ConvScalar} on odd shapes and every parameter. */
class ConvTest {
    private static final ConvGemm.Tiling SMALL_TILES = new ConvGemm.Tiling(1024, 1, 256);

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }

    /** w as F16 bits in a heap segment: a non-heap-F32 weight, decoded by the kernels. */
    static WeightMatrix f16(float[] w, int rows, int cols) {
        short[] bits = new short[w.length];
        for (int i = 0; i < w.length; i++) bits[i] = Float.floatToFloat16(w[i]);
        return WeightMatrix.of("w16", DType.F16, rows, cols, MemorySegment.ofArray(bits), null);
    }

    /** {N, C, H, W, O, kh, kw, sh, sw, ph, pw, dh, dw, groups} */
    private static final int[][] CASES = {
            {1, 3, 7, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {2, 4, 9, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1},      // stride 2, batch 2
            {1, 5, 17, 13, 3, 3, 3, 1, 1, 2, 2, 2, 2, 1},     // dilation 2
            {1, 6, 8, 10, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2},      // groups 2
            {2, 6, 9, 7, 6, 3, 3, 1, 2, 1, 0, 1, 1, 6},       // depthwise, stride (1, 2), padding (1, 0)
            {1, 4, 12, 12, 4, 7, 7, 2, 2, 3, 3, 1, 1, 4},     // depthwise 7x7 stride 2
            {1, 7, 5, 9, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1},       // pointwise
            {2, 6, 5, 6, 9, 1, 1, 1, 1, 0, 0, 1, 1, 3},       // pointwise grouped
            {1, 3, 9, 9, 2, 1, 1, 2, 2, 0, 0, 1, 1, 1},       // 1x1 with stride 2 (im2col)
            {1, 2, 8, 9, 3, 7, 7, 1, 1, 3, 3, 1, 1, 1},       // kernel 7
            {1, 3, 6, 17, 5, 2, 5, 3, 1, 0, 2, 2, 3, 1},      // rectangular everything
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1},       // 1x1x1
            {1, 8, 3, 3, 4, 3, 3, 1, 1, 4, 4, 1, 1, 2},       // padding larger than the kernel
            {3, 4, 33, 5, 7, 3, 1, 1, 1, 1, 0, 1, 1, 1},      // 3x1 kernel
    };

    private static ConvGeom geom(int[] c) {
        return new ConvGeom(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13]);
    }

    @Test
    void conv2dMatchesScalarOnEveryPathAndTiling() {
        Random r = new Random(7);
        for (int[] c : CASES) {
            ConvGeom g = geom(c);
            float[] x = random(r, g.N() * g.C() * g.H() * g.W());
            float[] w = random(r, g.O() * g.K());
            float[] b = random(r, g.O());
            WeightMatrix wm = WeightMatrix.of(w, g.O(), g.K());
            float[] ref = ConvScalar.conv2d(x, g.N(), g.C(), g.H(), g.W(), wm, g.kh(), g.kw(), b, g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.groups());
            float[] refNoBias = ConvScalar.conv2d(x, g.N(), g.C(), g.H(), g.W(), wm, g.kh(), g.kw(), null, g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.groups());
            WeightMatrix w16 = f16(w, g.O(), g.K());
            float[] ref16 = ConvScalar.conv2d(x, g.N(), g.C(), g.H(), g.W(), w16, g.kh(), g.kw(), b, g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.groups());
            String name = java.util.Arrays.toString(c);
            for (Conv.GemmPath path : Conv.GemmPath.values())
                for (ConvGemm.Tiling t : new ConvGemm.Tiling[] {ConvGemm.TILING, SMALL_TILES}) {
                    String what = name + " " + path + " tile " + t.tileFloats();
                    Assert.close(what, ref, ConvGemm.conv2d(x, 0, g, wm, b, path, t), 1e-5, 1e-5);
                    Assert.close(what + " no bias", refNoBias, ConvGemm.conv2d(x, 0, g, wm, null, path, t), 1e-5, 1e-5);
                    Assert.close(what + " f16", ref16, ConvGemm.conv2d(x, 0, g, w16, b, path, t), 1e-5, 1e-5);
                }
            // through the Tensor facade, with the input at an offset inside a larger array
            float[] padded = new float[x.length + 5];
            System.arraycopy(x, 0, padded, 5, x.length);
            Tensor xt = Tensor.of(padded, padded.length).slice(0, 5, padded.length).reshape(g.N(), g.C(), g.H(), g.W());
            Tensor y = Conv.conv2d(xt, wm, g.kh(), g.kw(), b, g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.groups());
            assertArrayEquals(new int[] {g.N(), g.O(), g.OH(), g.OW()}, y.shape());
            Assert.close(name + " facade", ref, y.toArray(), 1e-5, 1e-5);
        }
    }

    @Test
    void conv1dMatchesScalar() {
        Random r = new Random(11);
        // {N, C, L, O, k, stride, pad, dil, groups}
        int[][] cases = {{1, 80, 37, 16, 3, 1, 1, 1, 1}, {2, 16, 41, 16, 3, 2, 1, 1, 1}, {1, 8, 50, 8, 7, 1, 9, 3, 1},
                {1, 12, 33, 12, 11, 1, 25, 5, 1}, {1, 6, 17, 6, 7, 1, 3, 1, 6}, {1, 4, 9, 6, 1, 1, 0, 1, 2}, {1, 3, 1, 2, 1, 1, 0, 1, 1}};
        for (int[] c : cases) {
            int N = c[0], C = c[1], L = c[2], O = c[3], k = c[4];
            float[] x = random(r, N * C * L), w = random(r, O * C / c[8] * k), b = random(r, O);
            WeightMatrix wm = WeightMatrix.of(w, O, C / c[8] * k);
            float[] ref = ConvScalar.conv1d(x, N, C, L, wm, k, b, c[5], c[6], c[7], c[8]);
            Tensor y = Conv.conv1d(Tensor.of(x, N, C, L), wm, k, b, c[5], c[6], c[7], c[8]);
            Assert.close(java.util.Arrays.toString(c), ref, y.toArray(), 1e-5, 1e-5);
            assertArrayEquals(new int[] {N, O, (L + 2 * c[6] - c[7] * (k - 1) - 1) / c[5] + 1}, y.shape());
        }
    }

    @Test
    void convTranspose1dMatchesScalar() {
        Random r = new Random(3);
        // {N, C, L, outPerGroup, k, stride, pad, outPad, dil, groups}
        int[][] cases = {
                {1, 16, 13, 8, 16, 8, 4, 0, 1, 1},     // HiFi-GAN V2 first upsample (channels / 8)
                {2, 8, 21, 4, 4, 2, 1, 0, 1, 1},       // HiFi-GAN last stages
                {1, 6, 9, 3, 10, 5, 3, 0, 1, 1},       // AudioLDM vocoder rate 5
                {1, 4, 7, 3, 3, 2, 1, 1, 1, 1},        // output padding
                {1, 6, 11, 2, 5, 3, 2, 2, 2, 3},       // groups, dilation, output padding
                {1, 3, 1, 5, 7, 1, 0, 0, 1, 1},        // one input step
                {2, 5, 17, 1, 2, 2, 0, 1, 1, 5},       // depthwise-like
        };
        for (int[] c : cases) {
            int N = c[0], C = c[1], L = c[2], og = c[3], k = c[4];
            float[] x = random(r, N * C * L), w = random(r, C * og * k), b = random(r, og * c[9]);
            float[] ref = ConvScalar.convTranspose1d(x, N, C, L, w, og, k, b, c[5], c[6], c[7], c[8], c[9]);
            String name = java.util.Arrays.toString(c);
            Tensor y = Conv.convTranspose1d(Tensor.of(x, N, C, L), w, og, k, b, c[5], c[6], c[7], c[8], c[9]);
            Assert.close(name, ref, y.toArray(), 1e-5, 1e-5);
            WeightMatrix wm = WeightMatrix.of(w, C, og * k);
            Assert.close(name + " small tiles", ref, ConvGemm.convTranspose1d(x, 0, N, C, L, wm, k, b, c[5], c[6], c[7], c[8], c[9], SMALL_TILES), 1e-5, 1e-5);
            float[] refNoBias = ConvScalar.convTranspose1d(x, N, C, L, w, og, k, null, c[5], c[6], c[7], c[8], c[9]);
            Assert.close(name + " no bias", refNoBias, ConvGemm.convTranspose1d(x, 0, N, C, L, wm, k, null, c[5], c[6], c[7], c[8], c[9]), 1e-5, 1e-5);
        }
    }

    /**
     * A stored weight (F32 bytes, F16, Q8_0) gives exactly what the float[] path gives on its dequantised values,
     * and the scalar twin over the same {@link WeightMatrix} within rounding.
     */
    @Test
    void convTranspose1dOverStoredWeightsEqualsTheFloatPath() {
        Random r = new Random(11);
        // {N, C, L, outPerGroup, k, stride, pad, outPad, dil, groups}; outPerGroup*k a multiple of 32 where Q8_0 is tried
        int[][] cases = {
                {2, 9, 13, 8, 4, 3, 2, 1, 2, 3},
                {1, 5, 11, 16, 6, 4, 1, 0, 1, 1},
                {3, 6, 7, 2, 16, 2, 3, 1, 3, 2},
                {1, 7, 10, 3, 5, 3, 2, 2, 1, 1},
                {2, 10, 9, 5, 3, 1, 0, 0, 2, 5},
        };
        for (int[] c : cases) {
            int N = c[0], C = c[1], L = c[2], og = c[3], k = c[4], M = og * k;
            float[] x = random(r, N * C * L), w = random(r, C * M), b = random(r, og * c[9]);
            List<WeightMatrix> stored = new ArrayList<>();
            stored.add(WeightMatrix.of("f32", DType.F32, C, M, MemorySegment.ofArray(Quantize.toF32(w)), null));
            stored.add(WeightMatrix.of("f16", DType.F16, C, M, MemorySegment.ofArray(Quantize.toF16(w)), null));
            if (M % 32 == 0) stored.add(WeightMatrix.of("q8_0", DType.Q8_0, C, M, MemorySegment.ofArray(Quantize.toQ8_0(w)), null));
            for (WeightMatrix wm : stored) {
                String name = wm.name() + " " + java.util.Arrays.toString(c);
                float[] deq = wm.toFloats();
                Tensor viaFloats = Conv.convTranspose1d(Tensor.of(x, N, C, L), deq, og, k, b, c[5], c[6], c[7], c[8], c[9]);
                Tensor viaStored = Conv.convTranspose1d(Tensor.of(x, N, C, L), wm, k, b, c[5], c[6], c[7], c[8], c[9]);
                assertArrayEquals(viaFloats.shape(), viaStored.shape(), name);
                assertArrayEquals(viaFloats.toArray(), viaStored.toArray(), 0f, name);
                assertArrayEquals(ConvGemm.convTranspose1d(x, 0, N, C, L, WeightMatrix.of(deq, C, M), k, b, c[5], c[6], c[7], c[8], c[9], SMALL_TILES),
                        ConvGemm.convTranspose1d(x, 0, N, C, L, wm, k, b, c[5], c[6], c[7], c[8], c[9], SMALL_TILES), 0f, name + " small tiles");
                Assert.close(name + " scalar twin", ConvScalar.convTranspose1d(x, N, C, L, wm, k, b, c[5], c[6], c[7], c[8], c[9]), viaStored.toArray(), 1e-5, 1e-5);
            }
        }
    }

    @Test
    void upsampleMatchesScalarExactly() {
        Random r = new Random(5);
        for (int[] s : new int[][] {{1, 1, 1, 1}, {1, 3, 7, 17}, {2, 2, 5, 33}, {1, 1, 4, 64}, {1, 2, 3, 16}}) {
            float[] x = random(r, s[0] * s[1] * s[2] * s[3]);
            Tensor y = Conv.upsampleNearest2x(Tensor.of(x, s));
            assertArrayEquals(ConvScalar.upsampleNearest2x(x, s[0] * s[1], s[2], s[3]), y.toArray(), 0f);
            assertArrayEquals(new int[] {s[0], s[1], 2 * s[2], 2 * s[3]}, y.shape());
        }
    }

    @Test
    void badShapesAreRejected() {
        float[] w = new float[4 * 3 * 9];
        Tensor x = Tensor.zeros(1, 6, 5, 5);
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, WeightMatrix.of(w, 4, 27), 3, 3, null, 1, 1, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, WeightMatrix.of(w, 4, 27), 3, 3, null, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(Tensor.zeros(1, 3, 2, 2), WeightMatrix.of(new float[4 * 27], 4, 27), 3, 3, null, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.convTranspose1d(Tensor.zeros(1, 4, 5), new float[7], 2, 3, null, 1, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.convTranspose1d(Tensor.zeros(1, 4, 5), WeightMatrix.of(new float[3 * 6], 3, 6), 3, null, 1, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Conv.convTranspose1d(Tensor.zeros(1, 4, 5), WeightMatrix.of(new float[4 * 7], 4, 7), 3, null, 1, 0, 0, 1, 1));
    }
}
