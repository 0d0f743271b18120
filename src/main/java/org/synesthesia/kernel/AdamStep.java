package org.synesthesia.kernel;

/**
 * One Adam update of a parameter range, elementwise (PyTorch's single-tensor form, float32 throughout):
 * <pre>
 *   m = b1 m + a1 g;  v = b2 v + a2 g^2           (a1 = 1 - b1, a2 = 1 - b2)
 *   m, v below 2^-126 in magnitude are set to 0   (no subnormal arithmetic; see translator.Adam)
 *   p = p - stepSize * (m / (sqrt(v) / bc2Sqrt + eps))
 * </pre>
 * Dispatches to {@link AdamStepVector} (Vector API, same operations in the same order, so the same bits) or
 * {@link AdamStepScalar}, the reference.
 */
public final class AdamStep {
    private AdamStep() {}

    public static void update(float[] p, float[] g, float[] m, float[] v, int n, float b1, float a1, float b2, float a2, float stepSize, float bc2Sqrt, float eps) {
        if (Simd.available()) AdamStepVector.update(p, g, m, v, n, b1, a1, b2, a2, stepSize, bc2Sqrt, eps);
        else AdamStepScalar.update(p, g, m, v, n, b1, a1, b2, a2, stepSize, bc2Sqrt, eps);
    }
}
