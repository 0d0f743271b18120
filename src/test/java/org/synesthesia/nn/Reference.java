package org.synesthesia.nn;

import java.util.Random;
import org.synesthesia.kernel.WeightMatrix;

/** Plain double-precision loops the nn layers are checked against, and random layers of odd shapes. */
final class Reference {
    private Reference() {}

    static float[] random(Random r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (scale * r.nextGaussian());
        return x;
    }

    static Linear linear(Random r, int out, int in, boolean bias) {
        return new Linear(WeightMatrix.of(random(r, out * in, 1 / Math.sqrt(in)), out, in), bias ? random(r, out, 0.1) : null);
    }

    static LayerNorm norm(Random r, int d) {
        float[] w = random(r, d, 0.2), b = random(r, d, 0.1);
        for (int i = 0; i < d; i++) w[i] += 1;
        return new LayerNorm(w, b, 1e-5f);
    }

    static MultiHeadAttention attention(Random r, int d, int heads) {
        return new MultiHeadAttention(linear(r, d, d, true), linear(r, d, d, false), linear(r, d, d, true), linear(r, d, d, true), heads);
    }

    /** y[rows, out] = x W^T + b. */
    static float[] linear(float[] x, int rows, Linear l) {
        int in = l.in(), out = l.out();
        float[] w = l.weight().toFloats(), y = new float[rows * out];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double s = l.bias() == null ? 0 : l.bias()[o];
                for (int i = 0; i < in; i++) s += (double) x[r * in + i] * w[o * in + i];
                y[r * out + o] = (float) s;
            }
        return y;
    }

    static float[] layerNorm(float[] x, int rows, LayerNorm n) {
        int d = n.dim();
        float[] y = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < d; i++) mean += x[r * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            var /= d;
            for (int i = 0; i < d; i++) y[r * d + i] = (float) ((x[r * d + i] - mean) / Math.sqrt(var + n.eps()) * n.weight()[i] + n.bias()[i]);
        }
        return y;
    }

    static double activation(Activation a, double x) {
        return switch (a) {
            case GELU -> 0.5 * x * (1 + org.synesthesia.kernel.Act.erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case QUICK_GELU -> x / (1 + Math.exp(-1.702 * x));
            case RELU -> Math.max(x, 0);
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    static float[] mlp(float[] x, int rows, Mlp m) {
        float[] h = linear(x, rows, m.fc1());
        for (int i = 0; i < h.length; i++) h[i] = (float) activation(m.act(), h[i]);
        return linear(h, rows, m.fc2());
    }

    /**
     * softmax(q k^T / sqrt(hd) [+ causal]) v per head for one sequence: q [lq, w] (the last lq of lk positions),
     * k, v [lk, w].
     */
    static float[] attend(float[] q, int qOff, float[] k, float[] v, int lq, int lk, int w, int heads, boolean causal) {
        int kOff = 0, hd = w / heads;
        float[] o = new float[lq * w];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < lq; i++) {
                int last = causal ? i + (lk - lq) : lk - 1;
                double[] s = new double[last + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    double dot = 0;
                    for (int c = 0; c < hd; c++) dot += (double) q[qOff + i * w + h * hd + c] * k[kOff + j * w + h * hd + c];
                    s[j] = dot / Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= last; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int c = 0; c < hd; c++) {
                    double acc = 0;
                    for (int j = 0; j <= last; j++) acc += s[j] * v[kOff + j * w + h * hd + c];
                    o[i * w + h * hd + c] = (float) (acc / sum);
                }
            }
        return o;
    }

    /** Self-attention of batch sequences of T rows: out(attend(q(x), k(x), v(x))) per sequence. */
    static float[] selfAttention(float[] x, int batch, int T, MultiHeadAttention a, boolean causal) {
        int rows = batch * T, w = a.width();
        float[] q = linear(x, rows, a.query()), k = linear(x, rows, a.key()), v = linear(x, rows, a.value());
        float[] att = new float[rows * w];
        for (int b = 0; b < batch; b++) {
            float[] kb = java.util.Arrays.copyOfRange(k, b * T * w, (b + 1) * T * w), vb = java.util.Arrays.copyOfRange(v, b * T * w, (b + 1) * T * w);
            float[] o = attend(q, b * T * w, kb, vb, T, T, w, a.heads(), causal);
            System.arraycopy(o, 0, att, b * T * w, T * w);
        }
        return linear(att, rows, a.out());
    }

    /**
     * Self-attention with transformers' additive key padding mask: scores of keys j with !keyMask[b*T + j] get
     * {@code -Float.MAX_VALUE} added before the softmax, every query row computed.
     */
    static float[] maskedSelfAttention(float[] x, int batch, int T, MultiHeadAttention a, boolean[] keyMask) {
        int rows = batch * T, w = a.width(), heads = a.heads(), hd = w / heads;
        float[] q = linear(x, rows, a.query()), k = linear(x, rows, a.key()), v = linear(x, rows, a.value());
        float[] att = new float[rows * w];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < T; i++) {
                    double[] s = new double[T];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < T; j++) {
                        double dot = 0;
                        for (int c = 0; c < hd; c++) dot += (double) q[(b * T + i) * w + h * hd + c] * k[(b * T + j) * w + h * hd + c];
                        s[j] = dot / Math.sqrt(hd) + (keyMask[b * T + j] ? 0 : -Float.MAX_VALUE);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < T; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int c = 0; c < hd; c++) {
                        double acc = 0;
                        for (int j = 0; j < T; j++) acc += s[j] * v[(b * T + j) * w + h * hd + c];
                        att[(b * T + i) * w + h * hd + c] = (float) (acc / sum);
                    }
                }
        return linear(att, rows, a.out());
    }

    static void addInPlace(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }
}
