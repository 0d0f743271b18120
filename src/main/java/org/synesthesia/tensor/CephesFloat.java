package org.synesthesia.tensor;

/**
 * The float32 log / sincos polynomials PyTorch's x86 CPU build uses inside {@code torch.randn} (Cephes-derived
 * {@code log256_ps} and {@code sincos256_ps}, 8 lanes at a time there, one value at a time here), evaluated with
 * the fused multiply-adds the compiler forms from them, so the normals come out bit-identical.
 */
final class CephesFloat {
    private CephesFloat() {}

    static final float TWO_PI = (float) (2.0 * Math.PI);

    // log: x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log = poly(m-1) + e*ln2 (ln2 split in q2 + q1)
    private static final float SQRTHF = 0.707106781186547524f;
    private static final float LOG_P0 = 7.0376836292E-2f, LOG_P1 = -1.1514610310E-1f, LOG_P2 = 1.1676998740E-1f,
            LOG_P3 = -1.2420140846E-1f, LOG_P4 = 1.4249322787E-1f, LOG_P5 = -1.6668057665E-1f,
            LOG_P6 = 2.0000714765E-1f, LOG_P7 = -2.4999993993E-1f, LOG_P8 = 3.3333331174E-1f;
    private static final float LOG_Q1 = -2.12194440e-4f, LOG_Q2 = 0.693359375f;

    // sin/cos: reduction by multiples of pi/4 (pi/4 split in three), then one of two polynomials per octant
    private static final float FOPI = 1.27323954473516f;
    private static final float DP1 = -0.78515625f, DP2 = -2.4187564849853515625e-4f, DP3 = -3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f, SIN_P1 = 8.3321608736E-3f, SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f, COS_P1 = -1.388731625493765E-003f, COS_P2 = 4.166664568298827E-002f;

    /** Natural log of x > 0 (NaN for x <= 0; denormals treated as the smallest normal). */
    static float log(float x) {
        boolean invalid = !(x > 0f);
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        int exp = (bits >>> 23) - 0x7f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        float e = (float) exp + 1f;
        if (x < SQRTHF) {
            e -= 1f;
            x = (x - 1f) + x;
        } else {
            x = x - 1f;
        }
        float z = x * x;
        float y = Math.fma(LOG_P0, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = Math.fma(e, LOG_Q2, x + y);
        return invalid ? Float.NaN : x;
    }

    /** {sin(x), cos(x)} into out[0], out[1]. */
    static void sincos(float x, float[] out) {
        int signSin = Float.floatToRawIntBits(x) & 0x80000000;
        x = Math.abs(x);
        int j = (int) (x * FOPI);
        j = (j + 1) & ~1;
        float y = (float) j;
        int swapSin = (j & 4) << 29;
        boolean polySin = (j & 2) == 0;
        x = Math.fma(y, DP1, x);
        x = Math.fma(y, DP2, x);
        x = Math.fma(y, DP3, x);
        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSin;

        float z = x * x;
        float c = Math.fma(COS_P0, z, COS_P1);
        c = Math.fma(c, z, COS_P2);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;

        float s = Math.fma(SIN_P0, z, SIN_P1);
        s = Math.fma(s, z, SIN_P2);
        s = s * z;
        s = Math.fma(s, x, x);

        float sinV = polySin ? s : c;
        float cosV = polySin ? c : s;
        out[0] = Float.intBitsToFloat(Float.floatToRawIntBits(sinV) ^ signSin);
        out[1] = Float.intBitsToFloat(Float.floatToRawIntBits(cosV) ^ signCos);
    }

    /**
     * Box-Muller in place over 16 uniforms at {@code data[at..at+16)}: for j < 8, {@code r = sqrt(-2 log(1 - u[j]))},
     * {@code theta = 2 pi u[j+8]}, {@code u[j] = r cos theta}, {@code u[j+8] = r sin theta}.
     */
    static void boxMuller16(float[] data, int at) {
        float[] sc = new float[2];
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[at + j];
            float u2 = data[at + j + 8];
            float radius = (float) Math.sqrt(-2f * log(u1));
            sincos(TWO_PI * u2, sc);
            data[at + j] = radius * sc[1];
            data[at + j + 8] = radius * sc[0];
        }
    }
}
