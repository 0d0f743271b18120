package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_ROW: linear symmetric int8 per output channel. Each row of a [rows, cols] weight is a float32 scale s then
 * cols int8 q (4 + cols bytes); value = s * q. In GGUF: encoding {@code q8_row}, an I8 tensor [rows, 4 + cols]
 * (written by {@link #writeGguf}, read back by {@link #readGguf}).
 */
public final class Q8RowFormat extends EncodedFormat {
    public static final Q8RowFormat INSTANCE = new Q8RowFormat();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private Q8RowFormat() {}

    @Override public DType dtype() { return DType.Q8_ROW; }
    @Override public String ggufEncoding() { return "q8_row"; }
    @Override public int decodeCost() { return 2; }

    @Override
    public long rowBytes(long cols, Palette palette) {
        return 4 + cols;
    }

    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        long base = row * (4L + cols);
        float s = data.get(F32, base);
        for (int i = 0; i < len; i++) dst[off + i] = s * data.get(I8, base + 4 + col0 + i);
    }

    @Override
    public void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        long base = row * (4L + cols);
        Vec.decode(data, data.get(F32, base), base + 4 + col0, len, dst, off);
    }

    /** Per row, scale {@code s = max|x| / 127} as float32, then {@code q = round(x / s)} (halves away from zero) as int8. */
    @Override
    public byte[] encode(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        int rb = Math.toIntExact(rowBytes(cols, null));
        byte[] out = new byte[Math.multiplyExact(rows, rb)];
        for (int r = 0; r < rows; r++) {
            float amax = 0;
            for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
            float s = amax / 127f;
            float inv = s != 0 ? 1f / s : 0f;
            int o = r * rb, v = Float.floatToRawIntBits(s);
            for (int k = 0; k < 4; k++) out[o + k] = (byte) (v >>> (8 * k));
            for (int c = 0; c < cols; c++) out[o + 4 + c] = (byte) Math.max(-127, Math.min(127, BlockFormat.roundHalfAway(w[r * cols + c] * inv)));
        }
        return out;
    }

    @Override
    public void writeGguf(GgufSink sink, String name, long[] shape, Palette palette, GgufSink.Bytes data) {
        long rows = rows(name, shape), cols = cols(shape);
        encodingKeys(sink, name, shape);
        sink.tensor(name, DType.I8, new long[] {rows, rowBytes(cols, null)}, data);
    }

    /** A view of the I8 tensor [rows, 4 + cols] as Q8_ROW of the logical shape. */
    @Override
    public StoredTensor readGguf(GgufSource file, String name) {
        long[] shape = file.shape(name);
        StoredTensor rows = rowsTensor(file, name, shape[0], rowBytes(cols(shape), null));
        return new StoredTensor(name, DType.Q8_ROW, shape, rows.data(), file.description());
    }

    /** Vector API decoder: L int8 at a time widened to float and scaled. */
    private static final class Vec {
        static void decode(MemorySegment seg, float s, long at, int len, float[] dst, int off) {
            int L = FormatLanes.L, i = 0;
            if (FormatLanes.BS != null) {
                FloatVector sv = FloatVector.broadcast(FormatLanes.S, s);
                for (; i + L <= len; i += L)
                    ((FloatVector) ByteVector.fromMemorySegment(FormatLanes.BS, seg, at + i, FormatLanes.LE)
                            .convertShape(VectorOperators.B2F, FormatLanes.S, 0)).mul(sv).intoArray(dst, off + i);
            }
            for (; i < len; i++) dst[off + i] = s * seg.get(I8, at + i);
        }
    }
}
