package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** Paths the UNet/VAE goldens do not take: several heads with q/k/v biases, inner width != query width, no residual. */
class AttentionTest {
    /** Naive multi-head attention with the weights in {@code ms} under {@code name}. */
    static float[] reference(MemoryWeightSource ms, String name, Attention.Config c, float[] x, int N, int L, float[] ctx, int Lc) {
        int inner = c.inner(), d = c.headDim();
        float[] q = LayerTesting.linear(x, N * L, LayerTesting.floats(ms, name + ".to_q.weight"), c.qkvBias() ? LayerTesting.floats(ms, name + ".to_q.bias") : null, inner, c.queryDim());
        float[] k = LayerTesting.linear(ctx, N * Lc, LayerTesting.floats(ms, name + ".to_k.weight"), c.qkvBias() ? LayerTesting.floats(ms, name + ".to_k.bias") : null, inner, c.contextDim());
        float[] v = LayerTesting.linear(ctx, N * Lc, LayerTesting.floats(ms, name + ".to_v.weight"), c.qkvBias() ? LayerTesting.floats(ms, name + ".to_v.bias") : null, inner, c.contextDim());
        float[] o = new float[N * L * inner];
        for (int n = 0; n < N; n++)
            for (int h = 0; h < c.heads(); h++)
                for (int i = 0; i < L; i++) {
                    double[] s = new double[Lc];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < Lc; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += (double) q[(n * L + i) * inner + h * d + e] * k[(n * Lc + j) * inner + h * d + e];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j < Lc; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < Lc; j++) acc += s[j] / sum * v[(n * Lc + j) * inner + h * d + e];
                        o[(n * L + i) * inner + h * d + e] = (float) acc;
                    }
                }
        return LayerTesting.linear(o, N * L, LayerTesting.floats(ms, name + ".to_out.0.weight"), LayerTesting.floats(ms, name + ".to_out.0.bias"), c.queryDim(), inner);
    }

    @Test
    void multiHeadCrossAttentionWithBiases() {
        Attention.Config c = new Attention.Config(8, 6, 2, 3, true, 0, 0, false);
        SplittableRandom r = new SplittableRandom(3);
        int N = 2, L = 5, Lc = 4;
        float[] x = LayerTesting.random(r, N * L * 8), ctx = LayerTesting.random(r, N * Lc * 6);
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            Attention a = Attention.load(Weights.randomInto("test", 7, ms), "attn", c);
            assertEquals(8, ms.names().size()); // q, k, v, out: weight and bias each
            Assert.close("cross", reference(ms, "attn", c, x, N, L, ctx, Lc), a.forward(x, N, L, ctx, Lc), 2e-5, 1e-4);
            Attention.Config sc = new Attention.Config(8, 8, 2, 3, true, 0, 0, false);
            try (MemoryWeightSource self = selfWeights(ms)) {
                Attention sa = Attention.load(Weights.prefixed("t", self, ""), "attn", sc);
                Assert.close("self", reference(self, "attn", sc, x, N, L, x, L), sa.forward(x, N, L, null, 0), 2e-5, 1e-4);
            }
            assertThrows(IllegalArgumentException.class, () -> a.forward(x, N, L, ctx, Lc + 1));
        }
    }

    /** The same q, out weights with k, v cut to the query width (8): a self-attention checkpoint. */
    private static MemoryWeightSource selfWeights(MemoryWeightSource cross) {
        MemoryWeightSource ms = new MemoryWeightSource("self");
        SplittableRandom r = new SplittableRandom(4);
        for (String n : cross.names()) {
            var t = cross.get(n);
            if (n.contains("to_k.weight") || n.contains("to_v.weight")) LayerTesting.put(ms, n, LayerTesting.random(r, 6 * 8), 6, 8);
            else LayerTesting.put(ms, n, t.toFloats(), t.shape());
        }
        return ms;
    }

    /** On feature maps: the positions as tokens, back to [N, C, H, W]; with residual_connection x is added. */
    @Test
    void featureMapsWithAndWithoutResidual() {
        SplittableRandom r = new SplittableRandom(5);
        int N = 2, C = 4, H = 3, W = 2;
        Tensor x = LayerTesting.random(r, N, C, H, W);
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            Weights w = Weights.randomInto("test", 9, ms);
            Attention plain = Attention.load(w, "a", new Attention.Config(C, C, 2, 2, true, 0, 0, false));
            Attention withResidual = Attention.load(Weights.prefixed("t", ms, ""), "a", new Attention.Config(C, C, 2, 2, true, 0, 0, true));
            float[] tokens = Tokens.of(x);
            Tensor expected = Tokens.toImage(reference(ms, "a", plain.config(), tokens, N, H * W, tokens, H * W), N, C, H, W);
            Tracer tr = Tracer.of("a");
            Tensor y = plain.forward(x, tr);
            Assert.close("plain", expected, y, 1e-5);
            Assert.close("captured", y, tr.captured().get("a"), 0);
            float[] res = expected.toArray();
            for (int i = 0; i < res.length; i++) res[i] += x.data()[i];
            Assert.close("residual", Tensor.of(res, N, C, H, W), withResidual.forward(x, Tracer.NONE), 1e-5);
        }
    }

    @Test
    void tokensRoundTrip() {
        Tensor x = LayerTesting.random(new SplittableRandom(6), 2, 3, 4, 5);
        float[] t = Tokens.of(x);
        assertEquals(x.get(1, 2, 3, 4), t[(1 * 20 + 3 * 5 + 4) * 3 + 2]);
        Assert.close("round trip", x, Tokens.toImage(t, 2, 3, 4, 5), 0);
    }
}
