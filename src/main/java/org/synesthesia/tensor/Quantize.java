package org.synesthesia.tensor;

/**
 * Encoders of float32 values into the stored types (the inverses of {@link StoredTensor#toFloats()} and
 * {@link Dequant}), following ggml's reference quantizers:
 * <ul>
 *   <li>Q8_0, per block of 32: {@code d = max|x| / 127}, {@code q = round(x / d)} (half away from zero).</li>
 *   <li>Q4_0, per block of 32: {@code m} = the element of largest magnitude (with its sign), {@code d = m / -8},
 *       {@code q = min(15, trunc(x / d + 8.5))}; byte j holds element j in its low nibble and j+16 in its high.</li>
 * </ul>
 * Results are little-endian bytes ready for a writer.
 */
public final class Quantize {
    private Quantize() {}

    public static byte[] f32(float[] x) {
        byte[] out = new byte[x.length * 4];
        for (int i = 0; i < x.length; i++) putInt(out, 4 * i, Float.floatToRawIntBits(x[i]));
        return out;
    }

    public static byte[] f16(float[] x) {
        byte[] out = new byte[x.length * 2];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, Float.floatToFloat16(x[i]));
        return out;
    }

    /** bfloat16 with round-to-nearest-even (NaN stays a quiet NaN). */
    public static byte[] bf16(float[] x) {
        byte[] out = new byte[x.length * 2];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, (short) bf16Bits(x[i]));
        return out;
    }

    public static int bf16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (bits >>> 16) | 0x40;
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }

    public static byte[] q8_0(float[] x) {
        checkBlocks(x.length);
        byte[] out = new byte[x.length / 32 * 34];
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            int o = b * 34;
            putShort(out, o, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) out[o + 2 + j] = (byte) roundHalfAway(x[b * 32 + j] * id);
        }
        return out;
    }

    public static byte[] q4_0(float[] x) {
        checkBlocks(x.length);
        byte[] out = new byte[x.length / 32 * 18];
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[b * 32 + j];
                if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            int o = b * 18;
            putShort(out, o, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (x[b * 32 + j] * id + 8.5f));
                int hi = Math.min(15, (int) (x[b * 32 + 16 + j] * id + 8.5f));
                out[o + 2 + j] = (byte) (lo | (hi << 4));
            }
        }
        return out;
    }

    private static int roundHalfAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5f) : Math.floor(v + 0.5f));
    }

    private static void checkBlocks(int n) {
        if (n % 32 != 0) throw new IllegalArgumentException(n + " values is not a whole number of 32-value blocks");
    }

    private static void putShort(byte[] b, int o, short v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] b, int o, int v) {
        for (int i = 0; i < 4; i++) b[o + i] = (byte) (v >> (8 * i));
    }
}
