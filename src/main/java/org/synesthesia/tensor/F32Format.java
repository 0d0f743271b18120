package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** float32, 4 bytes a value (ggml type 0). Decoding is a copy. */
public final class F32Format extends GgmlFormat {
    public static final F32Format INSTANCE = new F32Format();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private F32Format() {
        super(DType.F32, 0, 1);
    }

    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        MemorySegment.copy(data, F32, ((long) row * cols + col0) * 4, dst, off, len);
    }

    /** A copy already runs at memory speed. */
    @Override
    public void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        decodeRow(data, palette, cols, row, col0, len, dst, off);
    }

    /** Little-endian bytes of each value. */
    @Override
    byte[] encode(float[] x) {
        byte[] out = new byte[4 * x.length];
        for (int i = 0; i < x.length; i++) {
            int v = Float.floatToRawIntBits(x[i]);
            for (int k = 0; k < 4; k++) out[4 * i + k] = (byte) (v >>> (8 * k));
        }
        return out;
    }
}
