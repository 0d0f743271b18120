package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API form of {@link AdamStepScalar} (no fused multiply-adds, so the same bits); loaded only when {@link Simd#available()}. */
final class AdamStepVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;

    private AdamStepVector() {}

    static void update(float[] p, float[] g, float[] m, float[] v, int n, float b1, float a1, float b2, float a2, float stepSize, float bc2Sqrt, float eps) {
        java.util.Objects.checkFromIndexSize(0, n, p.length);
        java.util.Objects.checkFromIndexSize(0, n, g.length);
        java.util.Objects.checkFromIndexSize(0, n, m.length);
        java.util.Objects.checkFromIndexSize(0, n, v.length);
        int j = 0;
        for (int end = n - L; j <= end; j += L) step(p, g, m, v, j, S.maskAll(true), b1, a1, b2, a2, stepSize, bc2Sqrt, eps);
        if (j < n) step(p, g, m, v, j, S.indexInRange(j, n), b1, a1, b2, a2, stepSize, bc2Sqrt, eps);
    }

    private static void step(float[] p, float[] g, float[] m, float[] v, int j, VectorMask<Float> k, float b1, float a1, float b2, float a2,
                             float stepSize, float bc2Sqrt, float eps) {
        FloatVector gj = FloatVector.fromArray(S, g, j, k);
        FloatVector mj = FloatVector.fromArray(S, m, j, k).mul(b1).add(gj.mul(a1));
        FloatVector vj = FloatVector.fromArray(S, v, j, k).mul(b2).add(gj.mul(gj).mul(a2));
        mj = mj.blend(0f, mj.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
        vj = vj.blend(0f, vj.compare(VectorOperators.LT, Float.MIN_NORMAL));
        mj.intoArray(m, j, k);
        vj.intoArray(v, j, k);
        FloatVector denom = vj.sqrt().div(bc2Sqrt).add(eps);
        FloatVector pj = FloatVector.fromArray(S, p, j, k);
        pj.sub(mj.div(denom).mul(stepSize)).intoArray(p, j, k);
    }
}
