package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.synesthesia.tensor.Palette;

/**
 * Decodes a column range of one row of a {@link WeightMatrix} to float32: what the fused GEMM kernels call to
 * fill a packing buffer or a row chunk, so a weight is never expanded as a whole. Same values as
 * {@link WeightMatrix#decodeRow} (the reference), written as simple counted loops that C2 vectorises (F16 becomes
 * vcvtph2ps), and with any column range for every type: block types decode the blocks that cover the range.
 */
final class WeightRows {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private WeightRows() {}

    /** {@code dst[off + i] = W[row, col0 + i]} for i < len. {@code tmp} is scratch of at least 32 values. */
    static void decode(WeightMatrix w, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        if (len <= 0) return;
        long base = (long) row * w.cols() + col0;
        MemorySegment seg = w.data();
        switch (w.dtype()) {
            case F32 -> {
                if (w.heap() != null) System.arraycopy(w.heap(), (int) base, dst, off, len);
                else MemorySegment.copy(seg, F32, base * 4, dst, off, len);
            }
            case F16 -> f16(seg, base * 2, dst, off, len);
            case BF16 -> bf16(seg, base * 2, dst, off, len);
            case Q8_0, Q4_0 -> blocks(w, row, col0, len, dst, off, tmp);
            case PAL -> pal(seg, w.palette(), row, w.cols(), col0, len, dst, off);
            default -> throw new IllegalStateException("unsupported weight type " + w.dtype());
        }
    }

    /** Half-precision values starting at byte {@code byteOff}. */
    static void f16(MemorySegment seg, long byteOff, float[] dst, int off, int len) {
        for (int i = 0; i < len; i++) dst[off + i] = Float.float16ToFloat(seg.get(I16, byteOff + 2L * i));
    }

    /** bfloat16 values (the high half of a float32) starting at byte {@code byteOff}. */
    static void bf16(MemorySegment seg, long byteOff, float[] dst, int off, int len) {
        for (int i = 0; i < len; i++) dst[off + i] = Float.intBitsToFloat(seg.get(I16, byteOff + 2L * i) << 16);
    }

    /** Q8_0 / Q4_0: whole blocks straight into dst, partial blocks at either end through {@code tmp}. */
    private static void blocks(WeightMatrix w, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        boolean q8 = w.dtype() == org.synesthesia.tensor.DType.Q8_0;
        int bytes = w.dtype().blockBytes;
        long rowBlock = (long) row * (w.cols() / 32);
        MemorySegment seg = w.data();
        int c = col0, end = col0 + len;
        while (c < end) {
            int b = c / 32, within = c - b * 32;
            long at = (rowBlock + b) * bytes;
            if (within == 0 && end - c >= 32) {
                int whole = (end - c) / 32;
                if (q8) q8_0(seg, at, whole, dst, off + c - col0);
                else q4_0(seg, at, whole, dst, off + c - col0);
                c += whole * 32;
            } else {
                if (q8) q8_0(seg, at, 1, tmp, 0);
                else q4_0(seg, at, 1, tmp, 0);
                int n = Math.min(32 - within, end - c);
                System.arraycopy(tmp, within, dst, off + c - col0, n);
                c += n;
            }
        }
    }

    /** {@code blocks} Q8_0 blocks (f16 scale d, 32 int8 q; value d*q) from byte {@code at}. */
    static void q8_0(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        for (int b = 0; b < blocks; b++) {
            long p = at + 34L * b;
            float d = Float.float16ToFloat(seg.get(I16, p));
            int o = off + 32 * b;
            for (int i = 0; i < 32; i++) dst[o + i] = d * seg.get(I8, p + 2 + i);
        }
    }

    /** {@code blocks} Q4_0 blocks (f16 scale d, 16 bytes; value d*(nibble-8), low nibbles first) from byte {@code at}. */
    static void q4_0(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        for (int b = 0; b < blocks; b++) {
            long p = at + 18L * b;
            float d = Float.float16ToFloat(seg.get(I16, p));
            int o = off + 32 * b;
            for (int i = 0; i < 16; i++) {
                int q = seg.get(I8, p + 2 + i);
                dst[o + i] = d * ((q & 0x0f) - 8);
                dst[o + 16 + i] = d * (((q >> 4) & 0x0f) - 8);
            }
        }
    }

    /** Columns {@code [col0, col0+len)} of row {@code row} of a palettized weight ({@link Palette} layout). */
    static void pal(MemorySegment idx, Palette p, int row, int cols, int col0, int len, float[] dst, int off) {
        int bits = p.bits();
        long rowBase = row * Palette.rowBytes(cols, bits);
        int lutBase = (row / p.groupSize()) << bits;
        float[] lut = p.lut();
        switch (bits) {
            case 8 -> {
                long at = rowBase + col0;
                for (int i = 0; i < len; i++) dst[off + i] = lut[lutBase + (idx.get(I8, at + i) & 0xff)];
            }
            case 4 -> {
                int i = 0, c = col0;
                if ((c & 1) != 0 && i < len) dst[off + i++] = lut[lutBase + ((idx.get(I8, rowBase + (c++ >> 1)) >> 4) & 0xf)];
                long at = rowBase + (c >> 1);
                int pairs = (len - i) >> 1;
                for (int q = 0; q < pairs; q++) {
                    int v = idx.get(I8, at + q);
                    dst[off + i + 2 * q] = lut[lutBase + (v & 0xf)];
                    dst[off + i + 2 * q + 1] = lut[lutBase + ((v >> 4) & 0xf)];
                }
                i += 2 * pairs;
                if (i < len) dst[off + i] = lut[lutBase + (idx.get(I8, at + pairs) & 0xf)];
            }
            case 2 -> {
                for (int i = 0; i < len; i++) {
                    int c = col0 + i;
                    int v = idx.get(I8, rowBase + (c >> 2));
                    dst[off + i] = lut[lutBase + ((v >> ((c & 3) * 2)) & 3)];
                }
            }
            default -> { // 6 bits: an index may straddle two bytes
                int mask = (1 << bits) - 1;
                for (int i = 0; i < len; i++) {
                    long bit = (long) (col0 + i) * bits;
                    long at = rowBase + (bit >>> 3);
                    int shift = (int) (bit & 7);
                    int v = idx.get(I8, at) & 0xff;
                    if (shift + bits > 8) v |= (idx.get(I8, at + 1) & 0xff) << 8;
                    dst[off + i] = lut[lutBase + ((v >>> shift) & mask)];
                }
            }
        }
    }
}
