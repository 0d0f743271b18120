package org.synesthesia.kernel;

/** Plain in-place helpers on float ranges, the reference for the vector paths of {@link Ops}. */
public final class OpsScalar {
    private OpsScalar() {}

    /** y[i] += x[i] for n values. */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** Adds {@code bias[c]} to each row of {@code rows} x {@code dim} values. */
    public static void addRowBias(float[] y, int off, int rows, int dim, float[] bias) {
        for (int r = 0; r < rows; r++) for (int i = 0; i < dim; i++) y[off + r * dim + i] += bias[i];
    }

    /** x[i] *= s for n values. */
    public static void scale(float[] x, int off, int n, float s) {
        for (int i = off; i < off + n; i++) x[i] *= s;
    }

    /** out[i] = a[i] op b[i] for n values; op 0 add, 1 subtract, 2 multiply. */
    public static void elementwise(int op, float[] a, int aOff, float[] b, int bOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[aOff + i], y = b[bOff + i];
            out[oOff + i] = op == 0 ? x + y : op == 1 ? x - y : x * y;
        }
    }
}
