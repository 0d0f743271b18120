package org.synesthesia.tensor;

/**
 * Float32 to the stored weight types, little-endian bytes in the layouts their {@link WeightFormat}s read: F32, F16,
 * BF16, Q8_0, Q4_0 (ggml's block formats) and Q8_ROW are the formats' own encoders; PAL (packed palette indices, see
 * {@link Palette}) is made here, with uniform or k-means tables. Used by tests and the weights converter.
 */
public final class Quantize {
    private Quantize() {}

    /** float32 as little-endian bytes ({@link F32Format}). */
    public static byte[] toF32(float[] x) {
        return F32Format.INSTANCE.encode(x);
    }

    /** IEEE half precision, round to nearest even ({@link F16Format}). */
    public static byte[] toF16(float[] x) {
        return F16Format.INSTANCE.encode(x);
    }

    /** bfloat16 (the high 16 bits of a float32), round to nearest even; NaN stays NaN ({@link BF16Format}). */
    public static byte[] toBF16(float[] x) {
        return BF16Format.INSTANCE.encode(x);
    }

    /** The bfloat16 bits of {@code v}, round to nearest even. */
    public static short bf16(float v) {
        return BF16Format.bits(v);
    }

    /** ggml's Q8_0 ({@link Q8_0Format}); {@code x.length} must be a multiple of 32. */
    public static byte[] toQ8_0(float[] x) {
        return Q8_0Format.INSTANCE.encode(x);
    }

    /** ggml's Q4_0 ({@link Q4_0Format}); {@code x.length} must be a multiple of 32. */
    public static byte[] toQ4_0(float[] x) {
        return Q4_0Format.INSTANCE.encode(x);
    }

    /** Q8_ROW of {@code w} [rows, cols] ({@link Q8RowFormat}): {@code rows * (4 + cols)} bytes. */
    public static byte[] toQ8Row(float[] w, int rows, int cols) {
        return Q8RowFormat.INSTANCE.encode(w, rows, cols);
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

    private static void checkGroups(int rows, int groupSize) {
        if (groupSize <= 0 || rows % groupSize != 0) throw new IllegalArgumentException("palette group size " + groupSize + " does not divide " + rows + " rows");
    }
}
