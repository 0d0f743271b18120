package org.synesthesia.kernel;

/**
 * Activations, in place over {@code x[off, off+n)}, row softmax, and the fused forms models use (bias + GELU,
 * GEGLU, SiLU gating). Dispatches to the Vector API kernels ({@code ActVector}, float arithmetic, a few ulp)
 * when available, else to {@link ActScalar}, the double-precision reference. Large ranges run on {@link Parallel}.
 */
public final class Act {
    private Act() {}

    /** GELU, exact form: x/2 * (1 + erf(x/sqrt(2))). */
    public static void gelu(float[] x, int off, int n) {
        if (Simd.available()) ActVector.gelu(x, off, n);
        else ActScalar.gelu(x, off, n);
    }

    /** GELU, tanh form: x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). */
    public static void geluTanh(float[] x, int off, int n) {
        if (Simd.available()) ActVector.geluTanh(x, off, n);
        else ActScalar.geluTanh(x, off, n);
    }

    /** QuickGELU (CLIP): x * sigmoid(1.702 x). */
    public static void quickGelu(float[] x, int off, int n) {
        if (Simd.available()) ActVector.quickGelu(x, off, n);
        else ActScalar.quickGelu(x, off, n);
    }

    /** SiLU: x * sigmoid(x). */
    public static void silu(float[] x, int off, int n) {
        if (Simd.available()) ActVector.silu(x, off, n);
        else ActScalar.silu(x, off, n);
    }

    /** Softmax of each of {@code rows} rows of {@code dim} values, in place: exp(x - max) / sum. */
    public static void softmax(float[] x, int off, int rows, int dim) {
        if (Simd.available()) ActVector.softmax(x, off, rows, dim);
        else ActScalar.softmax(x, off, rows, dim);
    }

    /** x[r, i] = gelu(x[r, i] + bias[i]) (exact GELU) over {@code rows} rows of {@code dim}: Linear + GELU. */
    public static void addBiasGelu(float[] x, int off, int rows, int dim, float[] bias) {
        if (bias.length < dim) throw new IllegalArgumentException("addBiasGelu: bias has " + bias.length + " values, rows have " + dim);
        if (Simd.available()) ActVector.addBiasGelu(x, off, rows, dim, bias);
        else ActScalar.addBiasGelu(x, off, rows, dim, bias);
    }

    /**
     * GEGLU (Stable Diffusion's feed-forward): x [rows, 2h] is (hidden, gate); y [rows, h] =
     * hidden * gelu(gate), exact GELU. {@code y} may be {@code x} (in place, rows packed to the front).
     */
    public static void geglu(float[] x, int xOff, int rows, int h, float[] y, int yOff) {
        if (Simd.available()) ActVector.geglu(x, xOff, rows, h, y, yOff);
        else ActScalar.geglu(x, xOff, rows, h, y, yOff);
    }

    /** GEGLU returning a new [rows, h] array. */
    public static float[] geglu(float[] x, int rows, int h) {
        if (x.length != rows * 2 * h) throw new IllegalArgumentException("geglu: input has " + x.length + " values, expected " + rows + "x" + 2 * h);
        float[] y = new float[rows * h];
        geglu(x, 0, rows, h, y, 0);
        return y;
    }

    /** SiLU gating: a[i] = silu(a[i]) * b[i] for n values. */
    public static void siluMul(float[] a, int aOff, float[] b, int bOff, int n) {
        if (Simd.available()) ActVector.siluMul(a, aOff, b, bOff, n);
        else ActScalar.siluMul(a, aOff, b, bOff, n);
    }

    /** x[i] = erf(x[i]) in place (float, relative error about 1.3e-7 on the vector path). */
    public static void erf(float[] x, int off, int n) {
        if (Simd.available()) ActVector.erf(x, off, n);
        else ActScalar.erf(x, off, n);
    }

    /** erf(x) to about 1e-15 relative (double; the reference the float kernels are tested against). */
    public static double erf(double x) {
        return ActScalar.erf(x);
    }
}
