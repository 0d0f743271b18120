package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API activations (float arithmetic through the {@link VecMath} blocks); the same definitions as
 * {@link ActScalar}. Loaded only when {@link Simd#available()}. Ranges above {@link #GRAIN} values are split over
 * {@link Parallel}.
 */
final class ActVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    /** Values per parallel chunk: below it one thread is faster than waking the pool. */
    static final int GRAIN = 1 << 15;
    /** tanh-GELU as x sigmoid(x (c1 + c3 x^2)): 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3). */
    private static final float TANH_C1 = (float) (2 * 0.7978845608028654), TANH_C3 = (float) (2 * 0.7978845608028654 * 0.044715);

    private ActVector() {}

    private static final VecMath.Block GELU = (x, f, t) -> VecMath.geluBlock(x, f, t);
    private static final VecMath.Block ERF = (x, f, t) -> VecMath.erfBlock(x, f, t);
    private static final VecMath.Block GELU_TANH = (x, f, t) -> VecMath.xSigmoidBlock(x, f, t, TANH_C1, TANH_C3);
    private static final VecMath.Block QUICK_GELU = (x, f, t) -> VecMath.xSigmoidBlock(x, f, t, 1.702f, 0f);
    private static final VecMath.Block SILU = (x, f, t) -> VecMath.xSigmoidBlock(x, f, t, 1f, 0f);

    /** Applies {@code block} to x[off, off+n), in parallel chunks of whole vectors. */
    private static void map(VecMath.Block block, float[] x, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, x.length);
        int vecs = (n + L - 1) / L;
        Parallel.forRange(vecs, GRAIN / L, (v0, v1) -> VecMath.apply(x, off + v0 * L, off + Math.min(n, v1 * L), 0f, block));
    }

    static void gelu(float[] x, int off, int n) { map(GELU, x, off, n); }

    static void geluTanh(float[] x, int off, int n) { map(GELU_TANH, x, off, n); }

    static void quickGelu(float[] x, int off, int n) { map(QUICK_GELU, x, off, n); }

    static void silu(float[] x, int off, int n) { map(SILU, x, off, n); }

    static void erf(float[] x, int off, int n) { map(ERF, x, off, n); }

    /** Rows in one parallel chunk for rows of {@code dim} values. */
    private static int rowGrain(int dim) {
        return Math.max(1, GRAIN / Math.max(1, dim));
    }

    static void addBiasGelu(float[] x, int off, int rows, int dim, float[] bias) {
        java.util.Objects.checkFromIndexSize(off, rows * dim, x.length);
        Parallel.forRange(rows, rowGrain(dim), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = off + r * dim;
                add(x, o, bias, 0, x, o, dim);
                VecMath.apply(x, o, o + dim, 0f, GELU);
            }
        });
    }

    static void geglu(float[] x, int xOff, int rows, int h, float[] y, int yOff) {
        java.util.Objects.checkFromIndexSize(xOff, rows * 2 * h, x.length);
        java.util.Objects.checkFromIndexSize(yOff, rows * h, y.length);
        if (x == y) { // rows run in parallel: write into a copy when output and input share storage
            float[] tmp = new float[rows * h];
            geglu(x, xOff, rows, h, tmp, 0);
            System.arraycopy(tmp, 0, y, yOff, rows * h);
            return;
        }
        Parallel.forRange(rows, rowGrain(2 * h), (r0, r1) -> {
            float[] g = new float[h];
            for (int r = r0; r < r1; r++) {
                int xo = xOff + r * 2 * h, yo = yOff + r * h;
                System.arraycopy(x, xo + h, g, 0, h);
                VecMath.apply(g, 0, h, 0f, GELU);
                mul(x, xo, g, 0, y, yo, h);
            }
        });
    }

    static void siluMul(float[] a, int aOff, float[] b, int bOff, int n) {
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        int vecs = (n + L - 1) / L;
        Parallel.forRange(vecs, GRAIN / L, (v0, v1) -> {
            int from = v0 * L, to = Math.min(n, v1 * L);
            VecMath.apply(a, aOff + from, aOff + to, 0f, SILU);
            mul(a, aOff + from, b, bOff + from, a, aOff + from, to - from);
        });
    }

    static void softmax(float[] x, int off, int rows, int dim) {
        java.util.Objects.checkFromIndexSize(off, rows * dim, x.length);
        Parallel.forRange(rows, rowGrain(dim), (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxRow(x, off + r * dim, dim);
        });
    }

    /** exp(x - max) / sum over one row. */
    static void softmaxRow(float[] x, int o, int dim) {
        float max = max(x, o, dim);
        double sum = expShift(x, o, dim, max);
        float inv = (float) (1 / sum);
        scale(x, o, dim, inv);
    }

    /** x = exp(x - shift) over x[o, o+n); returns the sum of the new values. */
    static double expShift(float[] x, int o, int n, float shift) {
        int full = n / L * L;
        double sum = full > 0 ? VecMath.expShiftBlock(x, o, o + full, shift) : 0;
        if (full < n) {
            float[] t = new float[L];
            java.util.Arrays.fill(t, Float.NEGATIVE_INFINITY);
            System.arraycopy(x, o + full, t, 0, n - full);
            sum += VecMath.expShiftBlock(t, 0, L, shift);
            System.arraycopy(t, 0, x, o + full, n - full);
        }
        return sum;
    }

    /** max of x[o, o+n) (-inf when n = 0; NaNs are skipped). Two chains of compare + blend. */
    static float max(float[] x, int o, int n) {
        FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), m1 = m0;
        int i = 0;
        for (int end = n - 2 * L; i <= end; i += 2 * L) {
            FloatVector a = FloatVector.fromArray(S, x, o + i), b = FloatVector.fromArray(S, x, o + i + L);
            m0 = m0.blend(a, a.compare(VectorOperators.GT, m0));
            m1 = m1.blend(b, b.compare(VectorOperators.GT, m1));
        }
        m0 = m0.blend(m1, m1.compare(VectorOperators.GT, m0));
        float m = m0.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) if (x[o + i] > m) m = x[o + i];
        return m;
    }

    /** x[o, o+n) *= s. */
    static void scale(float[] x, int o, int n, float s) {
        int i = 0;
        for (int end = n - L; i <= end; i += L) FloatVector.fromArray(S, x, o + i).mul(s).intoArray(x, o + i);
        for (; i < n; i++) x[o + i] *= s;
    }

    /** out = a + b over n values. */
    static void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = n - L; i <= end; i += L)
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    /** out = a * b over n values. */
    static void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = n - L; i <= end; i += L)
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
    }
}
