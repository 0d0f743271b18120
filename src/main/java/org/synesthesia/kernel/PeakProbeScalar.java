package org.synesthesia.kernel;

/**
 * The scalar twin of {@code PeakProbeVector}: {@link PeakProbe#CHAINS} chains {@code a_i = fma(a_i, m, c)} over single
 * floats, {@link PeakProbe#ITERATIONS} times; returns {@code sum_i a_i}.
 */
final class PeakProbeScalar {
    private static final float M = 1f - 0x1p-23f, C = 0x1p-23f;

    private PeakProbeScalar() {}

    static float chunk(float bias) {
        float a0 = 1f + bias, a1 = 1.01f, a2 = 1.02f, a3 = 1.03f, a4 = 1.04f, a5 = 1.05f;
        float a6 = 1.06f, a7 = 1.07f, a8 = 1.08f, a9 = 1.09f, a10 = 1.10f, a11 = 1.11f;
        for (int i = 0; i < PeakProbe.ITERATIONS; i++) {
            a0 = Math.fma(a0, M, C);
            a1 = Math.fma(a1, M, C);
            a2 = Math.fma(a2, M, C);
            a3 = Math.fma(a3, M, C);
            a4 = Math.fma(a4, M, C);
            a5 = Math.fma(a5, M, C);
            a6 = Math.fma(a6, M, C);
            a7 = Math.fma(a7, M, C);
            a8 = Math.fma(a8, M, C);
            a9 = Math.fma(a9, M, C);
            a10 = Math.fma(a10, M, C);
            a11 = Math.fma(a11, M, C);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}
