package org.synesthesia.tensor;

/**
 * How a palettized (PAL) weight is stored: a 2D weight of {@code rows} output channels by {@code cols}
 * inputs, whose element (r, c) is {@code lut[(r / groupSize) * 2^bits + index(r, c)]}.
 *
 * <p>Indices are packed little-endian bit streams, one per row, each row starting on a byte boundary:
 * {@code rowBytes = ceil(cols * bits / 8)}; index c of a row occupies bits {@code [c*bits, (c+1)*bits)} of that
 * row counted from bit 0 of its first byte. {@code groupSize == rows} is one table for the whole tensor.
 *
 * @param bits      index width: 2, 4, 6 or 8
 * @param groupSize output channels sharing one lookup table (divides {@code rows})
 * @param lut       {@code (rows / groupSize) * 2^bits} float32 centroids
 */
public record Palette(int bits, int groupSize, float[] lut) {
    public Palette {
        if (bits != 2 && bits != 4 && bits != 6 && bits != 8) throw new IllegalArgumentException("palette bits must be 2, 4, 6 or 8, not " + bits);
        if (groupSize <= 0) throw new IllegalArgumentException("palette group size must be positive");
    }

    public int entries() {
        return 1 << bits;
    }

    public static long rowBytes(long cols, int bits) {
        return (cols * bits + 7) / 8;
    }
}
