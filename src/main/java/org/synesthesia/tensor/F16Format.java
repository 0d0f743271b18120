package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * IEEE half precision, 2 bytes a value (ggml type 1). The one decoder serves both roles: C2 compiles its plain
 * loop of {@link Float#float16ToFloat} to vcvtph2ps, faster than the Vector API's conversion.
 */
public final class F16Format extends GgmlFormat {
    public static final F16Format INSTANCE = new F16Format();
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private F16Format() {
        super(DType.F16, 1, 2);
    }

    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        long byteOff = ((long) row * cols + col0) * 2;
        for (int i = 0; i < len; i++) dst[off + i] = Float.float16ToFloat(data.get(I16, byteOff + 2L * i));
    }

    @Override
    public void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        decodeRow(data, palette, cols, row, col0, len, dst, off);
    }

    /** Round to nearest even ({@link Float#floatToFloat16}). */
    @Override
    byte[] encode(float[] x) {
        byte[] out = new byte[2 * x.length];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, Float.floatToFloat16(x[i]));
        return out;
    }
}
