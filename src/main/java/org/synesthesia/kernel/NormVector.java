package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API LayerNorm and GroupNorm, the definitions of {@link NormScalar}. Mean and variance are two passes
 * (sum, then sum of squared deviations); each pass accumulates blocks of {@link #BLOCK} values in four float
 * vectors (at most 64 values per lane) and adds the blocks in double. Loaded only when {@link Simd#available()}.
 */
final class NormVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    private static final int BLOCK = 64 * 4 * L;

    private NormVector() {}

    /** sum of x[o, o+n). */
    static double sum(float[] x, int o, int n) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), p = o + b, i = 0;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int end = len - 4 * L; i <= end; i += 4 * L) {
                a0 = a0.add(FloatVector.fromArray(S, x, p + i));
                a1 = a1.add(FloatVector.fromArray(S, x, p + i + L));
                a2 = a2.add(FloatVector.fromArray(S, x, p + i + 2 * L));
                a3 = a3.add(FloatVector.fromArray(S, x, p + i + 3 * L));
            }
            for (; i < len; i += L) a0 = a0.add(FloatVector.fromArray(S, x, p + i, S.indexInRange(i, len)));
            total += Lanes.sum(a0.add(a1).add(a2.add(a3)));
        }
        return total;
    }

    /** sum of (x - mean)^2 over x[o, o+n). */
    static double sumSqDev(float[] x, int o, int n, float mean) {
        double total = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b), p = o + b, i = 0;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int end = len - 4 * L; i <= end; i += 4 * L) {
                FloatVector d0 = FloatVector.fromArray(S, x, p + i).sub(mean);
                FloatVector d1 = FloatVector.fromArray(S, x, p + i + L).sub(mean);
                FloatVector d2 = FloatVector.fromArray(S, x, p + i + 2 * L).sub(mean);
                FloatVector d3 = FloatVector.fromArray(S, x, p + i + 3 * L).sub(mean);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
                a2 = d2.fma(d2, a2);
                a3 = d3.fma(d3, a3);
            }
            for (; i < len; i += L) {
                VectorMask<Float> m = S.indexInRange(i, len);
                FloatVector d = FloatVector.fromArray(S, x, p + i, m).sub(mean);
                a0 = a0.add(d.mul(d), m);
            }
            total += Lanes.sum(a0.add(a1).add(a2.add(a3)));
        }
        return total;
    }

    static void layerNorm(float[] x, int xOff, float[] y, int yOff, int rows, int dim, float[] gamma, float[] beta, float eps) {
        java.util.Objects.checkFromIndexSize(xOff, rows * dim, x.length);
        java.util.Objects.checkFromIndexSize(yOff, rows * dim, y.length);
        if (gamma != null && gamma.length < dim || beta != null && beta.length < dim)
            throw new IllegalArgumentException("layerNorm: gamma/beta shorter than the row (" + dim + ")");
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, dim)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int xo = xOff + r * dim, yo = yOff + r * dim;
                double mean = sum(x, xo, dim) / dim;
                float m = (float) mean;
                float inv = (float) (1 / Math.sqrt(sumSqDev(x, xo, dim, m) / dim + eps));
                int i = 0;
                for (int end = dim - L; i <= end; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(m).mul(inv);
                    if (gamma != null) v = v.mul(FloatVector.fromArray(S, gamma, i));
                    if (beta != null) v = v.add(FloatVector.fromArray(S, beta, i));
                    v.intoArray(y, yo + i);
                }
                if (i < dim) {
                    VectorMask<Float> mk = S.indexInRange(i, dim);
                    FloatVector v = FloatVector.fromArray(S, x, xo + i, mk).sub(m).mul(inv);
                    if (gamma != null) v = v.mul(FloatVector.fromArray(S, gamma, i, mk));
                    if (beta != null) v = v.add(FloatVector.fromArray(S, beta, i, mk));
                    v.intoArray(y, yo + i, mk);
                }
            }
        });
    }

    /** GroupNorm of x [N, C, S] into y (may be x), then SiLU when {@code silu}. */
    static void groupNorm(float[] x, float[] y, int N, int C, int Sp, int groups, float[] gamma, float[] beta, float eps, boolean silu) {
        int cg = C / groups;
        Parallel.forEach(N * groups, ng -> {
            int n = ng / groups, g = ng % groups;
            int base = (n * C + g * cg) * Sp;
            int len = cg * Sp;
            double mean = sum(x, base, len) / len;
            float m = (float) mean;
            float inv = (float) (1 / Math.sqrt(sumSqDev(x, base, len, m) / len + eps));
            for (int c = 0; c < cg; c++) {
                int ch = g * cg + c;
                float a = inv * (gamma == null ? 1 : gamma[ch]);
                float b = (beta == null ? 0 : beta[ch]) - m * a;
                affine(x, y, base + c * Sp, Sp, a, b, silu);
            }
        });
    }

    /** y = x*a + b over [o, o+n), then y = y * sigmoid(y) when {@code silu}. */
    private static void affine(float[] x, float[] y, int o, int n, float a, float b, boolean silu) {
        int i = 0;
        for (int end = n - L; i <= end; i += L) FloatVector.fromArray(S, x, o + i).fma(a, b).intoArray(y, o + i);
        for (; i < n; i++) y[o + i] = Math.fma(x[o + i], a, b);
        if (silu) VecMath.apply(y, o, o + n, 0f, SILU);
    }

    private static final VecMath.Block SILU = (x, f, t) -> VecMath.xSigmoidBlock(x, f, t, 1f, 0f);
}
