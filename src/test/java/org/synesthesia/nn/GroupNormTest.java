package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

class GroupNormTest {
    /** Naive GroupNorm of x [N, C, S] in double; gamma/beta null = not affine; then SiLU with silu. */
    static float[] reference(float[] x, int N, int C, int S, int groups, float[] g, float[] b, double eps, boolean silu) {
        float[] y = new float[x.length];
        int per = C / groups;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < groups; k++) {
                int base = (n * C + k * per) * S, len = per * S;
                double mean = 0, var = 0;
                for (int i = 0; i < len; i++) mean += x[base + i];
                mean /= len;
                for (int i = 0; i < len; i++) var += (x[base + i] - mean) * (x[base + i] - mean);
                var /= len;
                for (int i = 0; i < len; i++) {
                    int c = k * per + i / S;
                    double v = (x[base + i] - mean) / Math.sqrt(var + eps);
                    if (g != null) v = v * g[c] + b[c];
                    y[base + i] = (float) (silu ? LayerTesting.silu(v) : v);
                }
            }
        return y;
    }

    @Test
    void plainAndAffineWithSiluMatchTheDefinition() {
        SplittableRandom r = new SplittableRandom(1);
        int N = 2, C = 12, H = 3, W = 5;
        Tensor x = LayerTesting.random(r, N, C, H, W);
        GroupNorm plain = new GroupNorm(C, 4, 1e-6f, null, null);
        Assert.close("plain", reference(x.data(), N, C, H * W, 4, null, null, 1e-6, false), plain.forward(x).data(), 1e-5, 1e-5);
        try (MemoryWeightSource ms = new MemoryWeightSource("t")) {
            float[] g = LayerTesting.random(r, C), b = LayerTesting.random(r, C);
            LayerTesting.put(ms, "n.weight", g, C);
            LayerTesting.put(ms, "n.bias", b, C);
            GroupNorm affine = GroupNorm.load(Weights.prefixed("t", ms, ""), "n", C, 3, 1e-5f);
            Assert.close("affine", reference(x.data(), N, C, H * W, 3, g, b, 1e-5, false), affine.forward(x).data(), 1e-5, 1e-5);
            Assert.close("affine silu", reference(x.data(), N, C, H * W, 3, g, b, 1e-5, true), affine.forwardSilu(x).data(), 1e-5, 1e-5);
        }
    }

    @Test
    void inputIsLeftAsIs() {
        Tensor x = LayerTesting.random(new SplittableRandom(2), 1, 4, 2, 2);
        float[] before = x.data().clone();
        new GroupNorm(4, 2, 1e-6f, null, null).forwardSilu(x);
        assertArrayEquals(before, x.data());
    }

    @Test
    void channelsMustSplitIntoGroups() {
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(10, 4, 1e-6f, null, null));
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(8, 4, 1e-6f, null, null).forward(Tensor.zeros(1, 6, 2, 2)));
    }
}
