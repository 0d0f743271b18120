package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16, the high 16 bits of a float32, 2 bytes a value (ggml type 30). Value = intBitsToFloat(bits << 16). */
public final class BF16Format extends GgmlFormat {
    public static final BF16Format INSTANCE = new BF16Format();
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private BF16Format() {
        super(DType.BF16, 30, 2);
    }

    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        long byteOff = ((long) row * cols + col0) * 2;
        for (int i = 0; i < len; i++) dst[off + i] = Float.intBitsToFloat(data.get(I16, byteOff + 2L * i) << 16);
    }

    @Override
    public void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        Vec.decode(data, ((long) row * cols + col0) * 2, dst, off, len);
    }

    /** Round to nearest even; NaN stays NaN. */
    @Override
    byte[] encode(float[] x) {
        byte[] out = new byte[2 * x.length];
        for (int i = 0; i < x.length; i++) putShort(out, 2 * i, bits(x[i]));
        return out;
    }

    /** The bfloat16 bits of {@code v}, round to nearest even. */
    public static short bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Vector API decoder: L shorts widened to ints and shifted into the high half. */
    private static final class Vec {
        static void decode(MemorySegment seg, long byteOff, float[] dst, int off, int len) {
            int L = FormatLanes.L, i = 0;
            if (FormatLanes.SS.length() == L) {
                for (; i + L <= len; i += L) {
                    IntVector h = (IntVector) ShortVector.fromMemorySegment(FormatLanes.SS, seg, byteOff + 2L * i, FormatLanes.LE)
                            .convertShape(VectorOperators.S2I, FormatLanes.IS, 0);
                    h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
                }
            }
            for (; i < len; i++) dst[off + i] = Float.intBitsToFloat(seg.get(I16, byteOff + 2L * i) << 16);
        }
    }
}
