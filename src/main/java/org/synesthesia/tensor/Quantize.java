package org.synesthesia.tensor;

/**
 * Float32 to the stored weight types, little-endian bytes in the layouts {@link Dequant} and
 * {@link org.synesthesia.kernel.WeightMatrix} read: F16, BF16, Q8_0, Q4_0 (ggml's block formats), Q8_ROW and PAL (packed
 * palette indices, see {@link Palette}). Used by tests and the weights converter.
 */
public final class Quantize {
    private Quantize() {}

    /** float32 as little-endian bytes. */
    public static byte[] toF32(float[] x) {
        byte[] out = new byte[4 * x.length];
        for (int i = 0; i < x.length; i++) {
            int v = Float.floatToRawIntBits(x[i]);
            for (int k = 0; k < 4; k++) out[4 * i + k] = (byte) (v >>> (8 * k));
        }
        return out;
    }

    /** IEEE half precision, round to nearest even. */
    public static byte[] toF16(float[] x) {
        byte[] out = new byte[2 * x.length];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, Float.floatToFloat16(x[i]));
        return out;
    }

    /** bfloat16 (the high 16 bits of a float32), round to nearest even; NaN stays NaN. */
    public static byte[] toBF16(float[] x) {
        byte[] out = new byte[2 * x.length];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, bf16(x[i]));
        return out;
    }

    /** The bfloat16 bits of {@code v}, round to nearest even. */
    public static short bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /**
     * Q8_0: per block of 32 values, scale {@code d = max|x| / 127} stored as f16, then {@code q = round(x / d)} as
     * int8 (34 bytes a block). {@code x.length} must be a multiple of 32.
     */
    public static byte[] toQ8_0(float[] x) {
        int blocks = blocks(x.length);
        byte[] out = new byte[blocks * 34];
        for (int b = 0; b < blocks; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            int o = 34 * b;
            putShort(out, o, Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) out[o + 2 + i] = (byte) roundHalfAway(x[32 * b + i] * id);
        }
        return out;
    }

    /**
     * Q4_0: per block of 32 values, {@code d = m / -8} where m is the value of largest magnitude (sign kept), stored
     * as f16; {@code q = clamp(round(x / d) + 8, 0, 15)}; byte i holds q[i] (low nibble) and q[i + 16] (high nibble);
     * 18 bytes a block. {@code x.length} must be a multiple of 32.
     */
    public static byte[] toQ4_0(float[] x) {
        int blocks = blocks(x.length);
        byte[] out = new byte[blocks * 18];
        for (int b = 0; b < blocks; b++) {
            float amax = 0, max = 0;
            for (int i = 0; i < 32; i++) {
                float v = x[32 * b + i];
                if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            int o = 18 * b;
            putShort(out, o, Float.floatToFloat16(d));
            for (int i = 0; i < 16; i++) {
                int lo = Math.min(15, (int) (x[32 * b + i] * id + 8.5f));
                int hi = Math.min(15, (int) (x[32 * b + 16 + i] * id + 8.5f));
                out[o + 2 + i] = (byte) (lo | hi << 4);
            }
        }
        return out;
    }

    /**
     * Q8_ROW: per row of {@code w} [rows, cols], scale {@code s = max|x| / 127} as float32, then
     * {@code q = round(x / s)} (halves away from zero) as int8; {@code rows * (4 + cols)} bytes.
     */
    public static byte[] toQ8Row(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        int rb = Math.toIntExact(DType.q8RowBytes(cols));
        byte[] out = new byte[Math.multiplyExact(rows, rb)];
        for (int r = 0; r < rows; r++) {
            float amax = 0;
            for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
            float s = amax / 127f;
            float inv = s != 0 ? 1f / s : 0f;
            int o = r * rb, v = Float.floatToRawIntBits(s);
            for (int k = 0; k < 4; k++) out[o + k] = (byte) (v >>> (8 * k));
            for (int c = 0; c < cols; c++) out[o + 4 + c] = (byte) Math.max(-127, Math.min(127, roundHalfAway(w[r * cols + c] * inv)));
        }
        return out;
    }

    /** A palettized weight: packed indices and the palette to read them with. */
    public record Palettized(byte[] indices, Palette palette) {}

    /**
     * {@code 2^bits} evenly spaced centroids per group of {@code groupSize} rows, from the group's minimum to its
     * maximum (the baseline k-means tables, {@link #palettizeKMeans}, are measured against).
     */
    public static float[] uniformLut(float[] w, int rows, int cols, int bits, int groupSize) {
        checkGroups(rows, groupSize);
        int entries = 1 << bits;
        float[] lut = new float[rows / groupSize * entries];
        for (int g = 0; g < rows / groupSize; g++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int i = g * groupSize * cols; i < (g + 1) * groupSize * cols; i++) {
                lo = Math.min(lo, w[i]);
                hi = Math.max(hi, w[i]);
            }
            if (lo > hi) lo = hi = 0;
            for (int e = 0; e < entries; e++) lut[g * entries + e] = lo + (hi - lo) * e / (entries - 1);
        }
        return lut;
    }

    /** Lloyd iterations allowed per k-means table (1-D Lloyd converges long before this on weights). */
    public static final int KMEANS_MAX_ITERATIONS = 1000;

    /**
     * Palettization with k-means tables: per group of {@code groupSize} rows ({@code groupSize == rows}: one table
     * for the tensor) the {@code 2^bits} centroids of {@link KMeans1D} over the group's values, then each value
     * packed as the index of its nearest centroid ({@link #palettize}). Group g is seeded with
     * {@link #groupSeed groupSeed(seed, g)}, so the result depends only on the weight and {@code seed}.
     */
    public static Palettized palettizeKMeans(float[] w, int rows, int cols, int bits, int groupSize, long seed) {
        new Palette(bits, groupSize, new float[0]); // validates bits and groupSize > 0
        checkGroups(rows, groupSize);
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        int entries = 1 << bits, groups = rows / groupSize, per = groupSize * cols;
        float[] lut = new float[groups * entries];
        for (int g = 0; g < groups; g++) {
            float[] c = KMeans1D.centroids(w, g * per, (g + 1) * per, entries, groupSeed(seed, g), KMEANS_MAX_ITERATIONS);
            System.arraycopy(c, 0, lut, g * entries, entries);
        }
        return palettize(w, rows, cols, bits, groupSize, lut);
    }

    /** The k-means seed of table {@code group}: {@code seed} and the group index mixed (SplitMix64 finaliser). */
    public static long groupSeed(long seed, int group) {
        long z = seed + (group + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Packs each value of {@code w} [rows, cols] as the index of its nearest centroid in its group's table of
     * {@code lut} ({@code rows / groupSize} tables of {@code 2^bits} entries), in the {@link Palette} layout.
     */
    public static Palettized palettize(float[] w, int rows, int cols, int bits, int groupSize, float[] lut) {
        Palette p = new Palette(bits, groupSize, lut);
        checkGroups(rows, groupSize);
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        int entries = 1 << bits;
        if (lut.length != rows / groupSize * entries)
            throw new IllegalArgumentException("palette needs " + rows / groupSize * entries + " centroids, got " + lut.length);
        Math.multiplyExact(cols, bits); // bit positions within a row fit an int
        int rowBytes = Math.toIntExact(Palette.rowBytes(cols, bits));
        byte[] out = new byte[Math.multiplyExact(rows, rowBytes)];
        NearestCentroid table = null;
        for (int r = 0; r < rows; r++) {
            if (r % groupSize == 0) table = new NearestCentroid(lut, r / groupSize * entries, entries);
            int base = r * rowBytes, off = r * cols;
            if (bits == 8) {
                for (int c = 0; c < cols; c++) out[base + c] = (byte) table.index(w[off + c]);
                continue;
            }
            for (int c = 0; c < cols; c++) {
                int bit = c * bits; // < 8 * rowBytes
                int at = base + (bit >>> 3), shift = bit & 7;
                int v2 = table.index(w[off + c]) << shift;
                out[at] |= (byte) v2;
                if (shift + bits > 8) out[at + 1] |= (byte) (v2 >>> 8);
            }
        }
        return new Palettized(out, p);
    }

    /** Nearest integer, halves away from zero (C's roundf). */
    private static int roundHalfAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5f) : Math.floor(v + 0.5f));
    }

    private static void checkGroups(int rows, int groupSize) {
        if (groupSize <= 0 || rows % groupSize != 0) throw new IllegalArgumentException("palette group size " + groupSize + " does not divide " + rows + " rows");
    }

    private static int blocks(int n) {
        if (n % 32 != 0) throw new IllegalArgumentException(n + " values is not a whole number of 32-value blocks");
        return n / 32;
    }

    private static void putShort(byte[] b, int at, short v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
