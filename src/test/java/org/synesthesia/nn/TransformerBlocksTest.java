package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.kernel.Act;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** Self-attention-only transformer blocks (no cross_attention_dim): the golden UNets always have cross-attention. */
class TransformerBlocksTest {
    @Test
    void selfAttentionOnlyBlockIsItsThreeSteps() {
        int N = 2, L = 5, dim = 8;
        SplittableRandom r = new SplittableRandom(1);
        float[] x = LayerTesting.random(r, N * L * dim);
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            BasicTransformerBlock b = new BasicTransformerBlock(Weights.randomInto("t", 2, ms), "b", dim, 0, 2, 4);
            assertFalse(ms.names().stream().anyMatch(n -> n.contains("attn2") || n.contains("norm2")), ms.names().toString());
            Weights w = Weights.prefixed("t", ms, "");
            Attention attn1 = Attention.load(w, "b.attn1", Attention.Config.tokens(dim, dim, 2, 4));
            FeedForward ff = FeedForward.load(w, "b.ff", dim, 4 * dim);
            float[] h = LayerTesting.layerNorm(x, N * L, dim, LayerTesting.floats(ms, "b.norm1.weight"), LayerTesting.floats(ms, "b.norm1.bias"), 1e-5);
            float[] e = x.clone(), a = attn1.forward(h, N, L, null, 0);
            for (int i = 0; i < e.length; i++) e[i] += a[i];
            float[] f = ff.forwardInPlace(LayerTesting.layerNorm(e, N * L, dim, LayerTesting.floats(ms, "b.norm3.weight"), LayerTesting.floats(ms, "b.norm3.bias"), 1e-5), N * L);
            for (int i = 0; i < e.length; i++) e[i] += f[i];
            Tracer tr = Tracer.of("b.*");
            float[] y = x.clone();
            b.forward(y, N, L, null, 0, tr);
            Assert.close("block", e, y, 1e-5, 1e-5);
            assertEquals(java.util.List.of("b.attn1", "b.ff"), java.util.List.copyOf(tr.captured().keySet()));
        }
    }

    /** GEGLU: net.2(h * gelu(g)) with h, g the halves of net.0.proj(x); over more rows than one chunk. */
    @Test
    void gegluFeedForward() {
        int rows = 1500, dim = 4, inner = 6;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = LayerTesting.random(r, rows * dim);
        try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
            FeedForward ff = FeedForward.load(Weights.randomInto("t", 4, ms), "ff", dim, inner);
            float[] p = LayerTesting.linear(x, rows, LayerTesting.floats(ms, "ff.net.0.proj.weight"), LayerTesting.floats(ms, "ff.net.0.proj.bias"), 2 * inner, dim);
            float[] g = new float[rows * inner];
            for (int m = 0; m < rows; m++)
                for (int i = 0; i < inner; i++) {
                    double gate = p[m * 2 * inner + inner + i];
                    g[m * inner + i] = (float) (p[m * 2 * inner + i] * 0.5 * gate * (1 + Act.erf(gate / Math.sqrt(2))));
                }
            float[] expected = LayerTesting.linear(g, rows, LayerTesting.floats(ms, "ff.net.2.weight"), LayerTesting.floats(ms, "ff.net.2.bias"), dim, inner);
            Assert.close("geglu", expected, ff.forwardInPlace(x.clone(), rows), 1e-5, 1e-4);
        }
    }

    @Test
    void selfAttentionOnlySpatialTransformer() {
        int N = 1, C = 8, H = 3, W = 4;
        Tensor x = LayerTesting.random(new SplittableRandom(5), N, C, H, W);
        for (boolean linear : new boolean[] {false, true})
            try (MemoryWeightSource ms = new MemoryWeightSource("random")) {
                Transformer2DModel t = new Transformer2DModel(Weights.randomInto("t", 6, ms), "t",
                        new Transformer2DModel.Config(C, 2, 0, 2, 4, linear));
                assertTrue(ms.names().contains("t.transformer_blocks.1.attn1.to_q.weight"));
                assertFalse(ms.names().stream().anyMatch(n -> n.contains("attn2")));
                Tracer tr = Tracer.of("t", "t.proj_in", "t.transformer_blocks.*.*");
                Tensor y = t.forward(x, null, 0, tr);
                assertArrayEquals(x.shape(), y.shape());
                assertArrayEquals(linear ? new int[] {N, H * W, C} : new int[] {N, C, H, W}, tr.captured().get("t.proj_in").shape());
                assertEquals(6, tr.captured().size()); // proj_in, 2 x (attn1, ff), t
                Assert.close("captured", y, tr.captured().get("t"), 0);
            }
    }
}
