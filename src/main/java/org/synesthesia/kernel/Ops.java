package org.synesthesia.kernel;

import org.synesthesia.tensor.Tensor;

/** Elementwise operations with NumPy broadcasting, and in-place helpers on float ranges. */
public final class Ops {
    private Ops() {}

    public interface BinaryOp {
        float apply(float a, float b);
    }

    /** Broadcast shape of a and b (NumPy rules), or an error naming both shapes. */
    public static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] s = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("shapes " + java.util.Arrays.toString(a) + " and " + java.util.Arrays.toString(b) + " do not broadcast");
            s[i] = Math.max(da, db);
        }
        return s;
    }

    /** out = op(a, b) elementwise with broadcasting; returns a new contiguous tensor. */
    public static Tensor binary(Tensor a, Tensor b, BinaryOp op) {
        int[] s = broadcastShape(a.shape(), b.shape());
        int r = s.length;
        int[] sa = stridesFor(a, r), sb = stridesFor(b, r);
        float[] out = new float[(int) Tensor.numel(s)];
        float[] da = a.data(), db = b.data();
        int[] idx = new int[r];
        int pa = a.offset(), pb = b.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = op.apply(da[pa], db[pb]);
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                pa += sa[d];
                pb += sb[d];
                if (idx[d] < s[d]) break;
                pa -= sa[d] * s[d];
                pb -= sb[d] * s[d];
                idx[d] = 0;
            }
        }
        return Tensor.of(out, s);
    }

    private static int[] stridesFor(Tensor t, int rank) {
        int[] sh = t.shape(), st = t.strides();
        int[] out = new int[rank];
        for (int i = 0; i < sh.length; i++) out[rank - sh.length + i] = sh[i] == 1 ? 0 : st[i];
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) { return sameShape(a, b) ? elementwise(0, a, b) : binary(a, b, Float::sum); }

    public static Tensor sub(Tensor a, Tensor b) { return sameShape(a, b) ? elementwise(1, a, b) : binary(a, b, (x, y) -> x - y); }

    public static Tensor mul(Tensor a, Tensor b) { return sameShape(a, b) ? elementwise(2, a, b) : binary(a, b, (x, y) -> x * y); }

    private static boolean sameShape(Tensor a, Tensor b) {
        return Simd.available() && a.isContiguous() && b.isContiguous() && java.util.Arrays.equals(a.shape(), b.shape());
    }

    /** Same-shape contiguous operands: op 0 add, 1 subtract, 2 multiply, on the vector kernels. */
    private static Tensor elementwise(int op, Tensor a, Tensor b) {
        float[] out = new float[a.size()];
        OpsVector.elementwise(op, a.data(), a.offset(), b.data(), b.offset(), out, 0, out.length);
        return Tensor.of(out, a.shape());
    }

    /** y[i] += x[i] for n values (the residual add). */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        if (Simd.available()) OpsVector.addInPlace(y, yOff, x, xOff, n);
        else OpsScalar.addInPlace(y, yOff, x, xOff, n);
    }

    /** Adds {@code bias[c]} to each row of {@code rows} x {@code dim} values. */
    public static void addRowBias(float[] y, int off, int rows, int dim, float[] bias) {
        if (Simd.available()) OpsVector.addRowBias(y, off, rows, dim, bias);
        else OpsScalar.addRowBias(y, off, rows, dim, bias);
    }

    /** x[i] *= s for n values. */
    public static void scale(float[] x, int off, int n, float s) {
        if (Simd.available()) OpsVector.scale(x, off, n, s);
        else OpsScalar.scale(x, off, n, s);
    }

    /**
     * dst[dOff + c*ldd + r] = src[sOff + r*lds + c] for r < rows, c < cols (a layout change such as [C, S] <-> [S, C]),
     * in 32 x 32 blocks so that both sides are read and written a cache line at a time, parallel over blocks of rows.
     */
    public static void transpose(float[] src, int sOff, int rows, int cols, int lds, float[] dst, int dOff, int ldd) {
        final int B = 32;
        int rb = (rows + B - 1) / B;
        Parallel.forRange(rb, Math.max(1, 16384 / Math.max(1, B * cols)), (b0, b1) -> {
            for (int r0 = b0 * B; r0 < Math.min(rows, b1 * B); r0 += B) {
                int r1 = Math.min(rows, r0 + B);
                for (int c0 = 0; c0 < cols; c0 += B) {
                    int c1 = Math.min(cols, c0 + B);
                    for (int c = c0; c < c1; c++) {
                        int d = dOff + c * ldd, s = sOff + c;
                        for (int r = r0; r < r1; r++) dst[d + r] = src[s + r * lds];
                    }
                }
            }
        });
    }
}
