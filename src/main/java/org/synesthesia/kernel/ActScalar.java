package org.synesthesia.kernel;

/**
 * Plain activations in double precision, in place over {@code x[off, off+n)}, and row softmax: the reference for
 * {@link Act}.
 */
public final class ActScalar {
    private ActScalar() {}

    /** GELU, exact form: x/2 * (1 + erf(x/sqrt(2))). */
    public static void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + erf(v * 0.7071067811865476)));
        }
    }

    /** GELU, tanh form: x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). */
    public static void geluTanh(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))));
        }
    }

    /** QuickGELU (CLIP): x * sigmoid(1.702 x). */
    public static void quickGelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) (x[i] / (1 + Math.exp(-1.702 * x[i])));
    }

    /** SiLU: x * sigmoid(x). */
    public static void silu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) (x[i] / (1 + Math.exp(-x[i])));
    }

    /** Softmax of each of {@code rows} rows of {@code dim} values, in place: exp(x - max) / sum. */
    public static void softmax(float[] x, int off, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * dim;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < dim; i++) max = Math.max(max, x[o + i]);
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                float e = (float) Math.exp(x[o + i] - max);
                x[o + i] = e;
                sum += e;
            }
            float inv = (float) (1 / sum);
            for (int i = 0; i < dim; i++) x[o + i] *= inv;
        }
    }

    /** x[r, i] = gelu(x[r, i] + bias[i]) over {@code rows} rows of {@code dim}. */
    public static void addBiasGelu(float[] x, int off, int rows, int dim, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * dim;
            for (int i = 0; i < dim; i++) x[o + i] += bias[i];
            gelu(x, o, dim);
        }
    }

    /** GEGLU: x [rows, 2h] -> y [rows, h], y[r, i] = x[r, i] * gelu(x[r, h + i]). */
    public static void geglu(float[] x, int xOff, int rows, int h, float[] y, int yOff) {
        float[] g = new float[h];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, xOff + r * 2 * h + h, g, 0, h);
            gelu(g, 0, h);
            for (int i = 0; i < h; i++) y[yOff + r * h + i] = x[xOff + r * 2 * h + i] * g[i];
        }
    }

    /** a[i] = silu(a[i]) * b[i] for n values. */
    public static void siluMul(float[] a, int aOff, float[] b, int bOff, int n) {
        silu(a, aOff, n);
        for (int i = 0; i < n; i++) a[aOff + i] *= b[bOff + i];
    }

    /** x[i] = erf(x[i]) in place. */
    public static void erf(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = (float) erf(x[i]);
    }

    /**
     * erf(x) to about 1e-15 relative: Taylor series for |x| < 2.5, else 1 - erfc(x) from the continued fraction
     * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 60; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            r = sum * 1.1283791670955126;
        } else if (ax > 6) {
            r = 1;
        } else {
            // Lentz-free evaluation of the continued fraction from the tail
            double f = ax;
            for (int n = 60; n >= 1; n--) f = ax + (n / 2.0) / f;
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
