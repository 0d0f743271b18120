package org.synesthesia.kernel;

/** The plain loop of {@link AdamStep}: the reference its vector form is tested against. */
public final class AdamStepScalar {
    private AdamStepScalar() {}

    public static void update(float[] p, float[] g, float[] m, float[] v, int n, float b1, float a1, float b2, float a2, float stepSize, float bc2Sqrt, float eps) {
        for (int j = 0; j < n; j++) {
            float gj = g[j];
            float mj = m[j] * b1 + gj * a1, vj = v[j] * b2 + gj * gj * a2;
            if (Math.abs(mj) < Float.MIN_NORMAL) mj = 0;
            if (vj < Float.MIN_NORMAL) vj = 0;
            m[j] = mj;
            v[j] = vj;
            float denom = (float) Math.sqrt(vj) / bc2Sqrt + eps;
            p[j] -= stepSize * (mj / denom);
        }
    }
}
