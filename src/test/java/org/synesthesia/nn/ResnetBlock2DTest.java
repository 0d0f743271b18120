package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** Conv2d and ResnetBlock2D paths the goldens do not take: no bias, 2-D 1x1 weights, output_scale_factor, no time embedding. */
class ResnetBlock2DTest {
    /** Naive convolution, square kernel k, stride s, zero padding p; bias may be null. */
    static float[] conv(float[] x, int N, int C, int H, int W, float[] w, float[] b, int O, int k, int s, int p) {
        int OH = (H + 2 * p - k) / s + 1, OW = (W + 2 * p - k) / s + 1;
        float[] y = new float[N * O * OH * OW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) {
                        double acc = b == null ? 0 : b[o];
                        for (int c = 0; c < C; c++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int yy = i * s - p + u, xx = j * s - p + v;
                                    if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                                        acc += (double) x[((n * C + c) * H + yy) * W + xx] * w[((o * C + c) * k + u) * k + v];
                                }
                        y[((n * O + o) * OH + i) * OW + j] = (float) acc;
                    }
        return y;
    }

    @Test
    void strideTwoWithoutBias() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = LayerTesting.random(r, 2, 3, 7, 6);
        try (MemoryWeightSource ms = new MemoryWeightSource("t")) {
            float[] w = LayerTesting.random(r, 5 * 3 * 9);
            LayerTesting.put(ms, "c.weight", w, 5, 3, 3, 3);
            Conv2d c = Conv2d.load(Weights.prefixed("t", ms, ""), "c", 3, 5, 3, 2, 1, false);
            Tensor y = c.forward(x);
            assertArrayEquals(new int[] {2, 5, 4, 3}, y.shape());
            Assert.close("conv", conv(x.data(), 2, 3, 7, 6, w, null, 5, 3, 2, 1), y.data(), 1e-5, 1e-5);
            assertThrows(IllegalArgumentException.class, () -> c.forward(Tensor.zeros(1, 4, 7, 6)));
        }
    }

    /** A 1x1 convolution's weight may be stored as a Linear's [out, in]. */
    @Test
    void oneByOneFromLinearWeight() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = LayerTesting.random(r, 1, 4, 3, 3);
        float[] w = LayerTesting.random(r, 6 * 4), b = LayerTesting.random(r, 6);
        try (MemoryWeightSource ms = new MemoryWeightSource("t")) {
            LayerTesting.put(ms, "a.weight", w, 6, 4);
            LayerTesting.put(ms, "a.bias", b, 6);
            LayerTesting.put(ms, "b.weight", w, 6, 4, 1, 1);
            LayerTesting.put(ms, "b.bias", b, 6);
            Weights ws = Weights.prefixed("t", ms, "");
            Tensor ya = Conv2d.load(ws, "a", 4, 6, 1, 1, 0, true).forward(x), yb = Conv2d.load(ws, "b", 4, 6, 1, 1, 0, true).forward(x);
            Assert.close("2-D vs 4-D", yb, ya, 0);
            Assert.close("1x1", conv(x.data(), 1, 4, 3, 3, w, b, 6, 1, 1, 0), ya.data(), 1e-5, 1e-5);
        }
    }

    /** output_scale_factor divides the sum; a block without time embedding takes none and has no time_emb_proj. */
    @Test
    void outputScaleAndNoTimeEmbedding() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = LayerTesting.random(r, 2, 8, 4, 4);
        float[] temb = LayerTesting.random(r, 2 * 16);
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            ResnetBlock2D one = ResnetBlock2D.load(Weights.randomInto("t", 4, ms), "r", new ResnetBlock2D.Config(8, 12, 16, 4, 1e-5f, 1));
            assertEquals(12, ms.names().size()); // norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut: weight and bias each
            ResnetBlock2D two = ResnetBlock2D.load(Weights.prefixed("t", ms, ""), "r", new ResnetBlock2D.Config(8, 12, 16, 4, 1e-5f, 2));
            Tensor y1 = one.forward(x, temb, Tracer.NONE), y2 = two.forward(x, temb, Tracer.NONE);
            float[] half = y1.toArray();
            for (int i = 0; i < half.length; i++) half[i] /= 2;
            assertArrayEquals(half, y2.data());
            assertThrows(IllegalArgumentException.class, () -> one.forward(x, null, Tracer.NONE));
        }
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            ResnetBlock2D plain = ResnetBlock2D.load(Weights.randomInto("t", 5, ms), "r", new ResnetBlock2D.Config(8, 8, 0, 4, 1e-6f, 1));
            assertFalse(ms.names().stream().anyMatch(n -> n.contains("time_emb_proj") || n.contains("conv_shortcut")), ms.names().toString());
            Tracer tr = Tracer.of("r");
            Tensor y = plain.forward(x, null, tr);
            assertArrayEquals(x.shape(), y.shape());
            Assert.close("captured", y, tr.captured().get("r"), 0);
        }
    }

    @Test
    void downsampleWithoutPaddingPadsBottomRight() {
        Tensor x = LayerTesting.random(new SplittableRandom(4), 1, 2, 4, 4);
        Tensor p = Downsample2D.padBottomRight(x);
        assertArrayEquals(new int[] {1, 2, 5, 5}, p.shape());
        assertEquals(x.get(0, 1, 3, 2), p.get(0, 1, 3, 2));
        assertEquals(0f, p.get(0, 1, 4, 2));
        assertEquals(0f, p.get(0, 0, 2, 4));
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            Weights w = Weights.randomInto("t", 6, ms);
            assertArrayEquals(new int[] {1, 2, 2, 2}, Downsample2D.load(w, "d0", 2, 0).forward(x, Tracer.NONE).shape());
            assertArrayEquals(new int[] {1, 2, 2, 2}, Downsample2D.load(w, "d1", 2, 1).forward(x, Tracer.NONE).shape());
        }
    }
}
