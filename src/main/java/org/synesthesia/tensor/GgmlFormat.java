package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A type ggml has an id for (F32, F16, BF16 and the block types): its values are one stream in row-major order, so
 * a row-major tensor is stored, decoded and encoded as one long row, and a GGUF file holds it as a tensor of its own
 * type.
 */
abstract class GgmlFormat implements WeightFormat {
    private final DType dtype;
    private final int ggmlType, decodeCost;

    GgmlFormat(DType dtype, int ggmlType, int decodeCost) {
        this.dtype = dtype;
        this.ggmlType = ggmlType;
        this.decodeCost = decodeCost;
    }

    @Override public DType dtype() { return dtype; }

    @Override public int ggmlType() { return ggmlType; }

    @Override public int decodeCost() { return decodeCost; }

    @Override
    public long rowBytes(long cols, Palette palette) {
        return dtype().bytesFor(cols);
    }

    @Override
    public void decodeAll(MemorySegment data, Palette palette, int rows, int cols, float[] out) {
        int n = Math.multiplyExact(rows, cols);
        decodeRow(data, palette, n, 0, 0, n, out, 0);
    }

    /** The values of {@code w} in order as this type's bytes. */
    abstract byte[] encode(float[] w);

    @Override
    public byte[] encode(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        return encode(w);
    }

    @Override
    public void writeGguf(GgufSink sink, String name, long[] shape, Palette palette, GgufSink.Bytes data) {
        sink.tensor(name, dtype(), shape, data);
    }

    static void putShort(byte[] b, int at, short v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
