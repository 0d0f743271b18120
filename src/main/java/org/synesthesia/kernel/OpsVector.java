package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Vector API forms of {@link OpsScalar}; loaded only when {@link Simd#available()}. Large ranges run in parallel. */
final class OpsVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    private static final int GRAIN = 1 << 16;

    private OpsVector() {}

    static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        elementwise(0, y, yOff, x, xOff, y, yOff, n);
    }

    static void elementwise(int op, float[] a, int aOff, float[] b, int bOff, float[] out, int oOff, int n) {
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        java.util.Objects.checkFromIndexSize(oOff, n, out.length);
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            for (int end = to - L; i <= end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, aOff + i), y = FloatVector.fromArray(S, b, bOff + i);
                (op == 0 ? x.add(y) : op == 1 ? x.sub(y) : x.mul(y)).intoArray(out, oOff + i);
            }
            if (i < to) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector x = FloatVector.fromArray(S, a, aOff + i, m), y = FloatVector.fromArray(S, b, bOff + i, m);
                (op == 0 ? x.add(y) : op == 1 ? x.sub(y) : x.mul(y)).intoArray(out, oOff + i, m);
            }
        });
    }

    static void addRowBias(float[] y, int off, int rows, int dim, float[] bias) {
        java.util.Objects.checkFromIndexSize(off, rows * dim, y.length);
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = off + r * dim, i = 0;
                for (int end = dim - L; i <= end; i += L)
                    FloatVector.fromArray(S, y, o + i).add(FloatVector.fromArray(S, bias, i)).intoArray(y, o + i);
                if (i < dim) {
                    VectorMask<Float> m = S.indexInRange(i, dim);
                    FloatVector.fromArray(S, y, o + i, m).add(FloatVector.fromArray(S, bias, i, m)).intoArray(y, o + i, m);
                }
            }
        });
    }

    static void scale(float[] x, int off, int n, float s) {
        java.util.Objects.checkFromIndexSize(off, n, x.length);
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            for (int end = to - L; i <= end; i += L) FloatVector.fromArray(S, x, off + i).mul(s).intoArray(x, off + i);
            if (i < to) {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector.fromArray(S, x, off + i, m).mul(s).intoArray(x, off + i, m);
            }
        });
    }
}
