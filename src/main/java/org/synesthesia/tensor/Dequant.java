package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Scalar decoders of the block and palettized types (the reference the fused GEMM kernels are tested against). */
public final class Dequant {
    private Dequant() {}

    /** Decodes the whole tensor into {@code out} (row-major, {@code out.length == t.elements()}). */
    public static void toFloats(StoredTensor t, float[] out) {
        switch (t.dtype()) {
            case Q8_0 -> q8_0(t.data(), 0, out, 0, out.length);
            case Q4_0 -> q4_0(t.data(), 0, out, 0, out.length);
            case Q8_ROW -> {
                long[] s = t.shape();
                int rows = Math.toIntExact(s[0]);
                int cols = Math.toIntExact(t.elements() / Math.max(1, s[0]));
                for (int r = 0; r < rows; r++) q8Row(t.data(), r, cols, 0, cols, out, r * cols);
            }
            case PAL -> {
                long[] s = t.shape();
                int rows = Math.toIntExact(s[0]);
                int cols = Math.toIntExact(t.elements() / Math.max(1, s[0]));
                for (int r = 0; r < rows; r++) palRow(t.data(), t.palette(), r, cols, out, r * cols);
            }
            default -> throw new IllegalArgumentException("not a quantized type: " + t.dtype());
        }
    }

    /** Decodes {@code n} (multiple of 32) Q8_0 values starting at block-aligned byte offset {@code byteOff}. */
    public static void q8_0(MemorySegment seg, long byteOff, float[] out, int off, int n) {
        for (int b = 0; b < n / 32; b++) {
            long base = byteOff + b * 34L;
            float d = Float.float16ToFloat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, base));
            for (int i = 0; i < 32; i++) out[off + b * 32 + i] = d * seg.get(ValueLayout.JAVA_BYTE, base + 2 + i);
        }
    }

    /** Decodes {@code n} (multiple of 32) Q4_0 values starting at block-aligned byte offset {@code byteOff}. */
    public static void q4_0(MemorySegment seg, long byteOff, float[] out, int off, int n) {
        for (int b = 0; b < n / 32; b++) {
            long base = byteOff + b * 18L;
            float d = Float.float16ToFloat(seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, base));
            for (int i = 0; i < 16; i++) {
                int q = seg.get(ValueLayout.JAVA_BYTE, base + 2 + i) & 0xff;
                out[off + b * 32 + i] = d * ((q & 0x0f) - 8);
                out[off + b * 32 + i + 16] = d * ((q >>> 4) - 8);
            }
        }
    }

    /** Decodes columns [col0, col0+len) of row {@code r} of a Q8_ROW weight with rows of {@code cols} values. */
    public static void q8Row(MemorySegment seg, int r, int cols, int col0, int len, float[] out, int off) {
        long base = r * DType.q8RowBytes(cols);
        float s = seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base);
        for (int i = 0; i < len; i++) out[off + i] = s * seg.get(ValueLayout.JAVA_BYTE, base + 4 + col0 + i);
    }

    /** Decodes row {@code r} ({@code cols} values) of a palettized weight. */
    public static void palRow(MemorySegment idx, Palette p, int r, int cols, float[] out, int off) {
        int bits = p.bits();
        long rowBase = r * Palette.rowBytes(cols, bits);
        int lutBase = (r / p.groupSize()) << bits;
        int mask = (1 << bits) - 1;
        for (int c = 0; c < cols; c++) {
            long bit = (long) c * bits;
            long byteIdx = rowBase + (bit >>> 3);
            int shift = (int) (bit & 7);
            int v = idx.get(ValueLayout.JAVA_BYTE, byteIdx) & 0xff;
            if (shift + bits > 8) v |= (idx.get(ValueLayout.JAVA_BYTE, byteIdx + 1) & 0xff) << 8;
            out[off + c] = p.lut()[lutBase + ((v >>> shift) & mask)];
        }
    }
}
