package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;

/**
 * One stored weight type, everything about it in one class: its bytes, its scalar row decoder (the reference), its
 * vectorised row decoder, its cost inside a GEMM, its encoder from float32 and how a GGUF file holds it.
 * {@link DType#format()} is the registry; the types are {@link F32Format}, {@link F16Format}, {@link BF16Format},
 * {@link Q8_0Format}, {@link Q4_0Format}, {@link Q8RowFormat} and {@link PalFormat}.
 *
 * <p>A weight is seen as {@code rows} output channels of {@code cols} values (a PyTorch tensor [shape[0], product of
 * the rest]) in little-endian bytes {@code data}; {@code palette} is the lookup table of a {@link DType#PAL} weight
 * and null for the other types. Decoders are called once per row range, never per value, so the loops inside them
 * stay monomorphic.
 */
public interface WeightFormat {
    DType dtype();

    /** ggml's id for this type in GGUF and ggml files, or -1 when the converted-file contract encodes it (FORMAT.md). */
    int ggmlType();

    /** Relative work of decoding one value while a GEMM packs the weight (F32 = 1); sizes the GEMM's blocking. */
    int decodeCost();

    /** Throws {@link IllegalArgumentException} naming {@code name} unless rows of {@code cols} values can be stored. */
    default void checkRow(String name, long cols) {}

    /** Bytes of one row of {@code cols} values ({@code palette}: the PAL table, for its index width). */
    long rowBytes(long cols, Palette palette);

    /**
     * The palette of rows {@code [r0, r0 + rows)} of a weight stored with {@code palette} (null for types without
     * one); {@link IllegalArgumentException} when those rows do not take whole lookup tables.
     */
    default Palette paletteOfRows(Palette palette, long r0, long rows) {
        return null;
    }

    /**
     * The scalar reference decoder: {@code dst[off + i] = W[row, col0 + i]} for {@code i < len}, rows of {@code cols}
     * values. Block types need {@code col0} and {@code len} to be whole blocks, except that {@code col0 + len} may
     * be {@code cols}.
     */
    void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off);

    /**
     * The same values as {@link #decodeRow}, for any column range, with the Vector API where it pays: what the fused
     * GEMM kernels call to fill a packing buffer. Call only when the Vector API is available (the engine's
     * {@code kernel.Simd}). {@code tmp} is scratch of at least 32 floats.
     */
    void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp);

    /** Decodes a whole [rows, cols] tensor into {@code out} (row-major, {@code rows * cols} values). */
    default void decodeAll(MemorySegment data, Palette palette, int rows, int cols, float[] out) {
        for (int r = 0; r < rows; r++) decodeRow(data, palette, cols, r, 0, cols, out, r * cols);
    }

    /**
     * float32 [rows, cols] ({@code w.length == rows * cols}) as this type's bytes. {@link DType#PAL} needs a table
     * and throws: its encoders are {@link Quantize#palettize} and {@link Quantize#palettizeKMeans}.
     */
    byte[] encode(float[] w, int rows, int cols);

    /**
     * Adds a weight of logical shape {@code shape} to a GGUF file being written: a ggml type as one tensor of its
     * own type, the others as the converted-file contract says. {@code data} makes the weight's bytes when the file
     * is written. Shapes are checked now; bad ones are an {@link IllegalArgumentException}.
     */
    void writeGguf(GgufSink sink, String name, long[] shape, Palette palette, GgufSink.Bytes data);

    /**
     * The value of key {@code synesthesia.tensor.NAME.encoding} that marks a weight of this type in a GGUF file, or
     * null for a ggml type (stored as a tensor of its own type).
     */
    default String ggufEncoding() {
        return null;
    }

    /**
     * The weight {@code name} that {@link #writeGguf} wrote under {@link #ggufEncoding()}, read back from
     * {@code file} as a view of its mapped bytes (small tables decoded onto the heap); malformed parts are a
     * {@link GgufSource#error}. Only for types with an encoding.
     */
    default StoredTensor readGguf(GgufSource file, String name) {
        throw new UnsupportedOperationException(dtype() + " is stored in GGUF as a ggml type, not an encoding");
    }
}
