package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** Linear (with row offsets, without bias), LayerNorm, Conv1d, the activations and the MLP against plain loops. */
class LayersTest {
    static final double TOL = 2e-5;

    @Test
    void linearWritesFromARowOffset() {
        Random r = new Random(1);
        int rows = 7, in = 13, out = 9;
        float[] x = Reference.random(r, rows * in, 1);
        for (boolean bias : new boolean[] {true, false}) {
            Linear l = Reference.linear(r, out, in, bias);
            float[] y = new float[(rows + 3) * out];
            l.forward(x, rows, y, 3);
            float[] expected = Reference.linear(x, rows, l);
            Assert.close("bias " + bias, expected, java.util.Arrays.copyOfRange(y, 3 * out, y.length), TOL, TOL);
            assertArrayEquals(new float[3 * out], java.util.Arrays.copyOf(y, 3 * out));
        }
    }

    @Test
    void layerNormRows() {
        Random r = new Random(2);
        LayerNorm n = Reference.norm(r, 23);
        float[] x = Reference.random(r, 5 * 23, 3), y = new float[5 * 23];
        n.forward(x, y, 5);
        Assert.close("layer norm", Reference.layerNorm(x, 5, n), y, TOL, TOL);
    }

    @Test
    void conv1dStridedPadded() {
        Random r = new Random(3);
        int in = 5, out = 7, k = 3, L = 17;
        float[] w = Reference.random(r, out * in * k, 0.3), b = Reference.random(r, out, 0.1), x = Reference.random(r, in * L, 1);
        Conv1d c = new Conv1d(WeightMatrix.of(w, out, in * k), b, k, 2, 1);
        Tensor y = c.forward(Tensor.of(x, 1, in, L));
        int lo = (L + 2 - k) / 2 + 1;
        assertArrayEquals(new int[] {1, out, lo}, y.shape());
        float[] expected = new float[out * lo];
        for (int o = 0; o < out; o++)
            for (int t = 0; t < lo; t++) {
                double s = b[o];
                for (int i = 0; i < in; i++)
                    for (int j = 0; j < k; j++) {
                        int p = t * 2 - 1 + j;
                        if (p >= 0 && p < L) s += (double) w[(o * in + i) * k + j] * x[i * L + p];
                    }
                expected[o * lo + t] = (float) s;
            }
        Assert.close("conv1d", expected, y.toArray(), TOL, TOL);
    }

    @Test
    void activationsAndMlp() {
        Random r = new Random(4);
        for (Activation a : Activation.values()) {
            float[] x = Reference.random(r, 1001, 2), y = x.clone();
            a.applyParallel(y, y.length);
            float[] expected = new float[x.length];
            for (int i = 0; i < x.length; i++) expected[i] = (float) Reference.activation(a, x[i]);
            Assert.close(a.name(), expected, y, 1e-5, 1e-5);
        }
        assertEquals(Activation.GELU_TANH, Activation.fromHf("gelu_pytorch_tanh"));
        assertNull(Activation.fromHf("mish"));
        int rows = 6, d = 10, ff = 27;
        Mlp m = new Mlp(Reference.linear(r, ff, d, true), Activation.QUICK_GELU, Reference.linear(r, d, ff, true));
        float[] x = Reference.random(r, rows * d, 1), hidden = new float[rows * ff], y = new float[rows * d];
        Tracer t = Tracer.of("mlp");
        m.forward(x, 2, 3, hidden, y, t, new Mlp.Names("", "fc1", null, "fc2").under("mlp"));
        Assert.close("mlp", Reference.mlp(x, rows, m), y, TOL, TOL);
        assertArrayEquals(new int[] {2, 3, d}, t.captured().get("mlp").shape());
    }
}
