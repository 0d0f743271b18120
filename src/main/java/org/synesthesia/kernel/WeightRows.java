package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.synesthesia.tensor.Palette;

/**
 * Decodes a column range of one row of a {@link WeightMatrix} to float32: what the fused GEMM kernels call to
 * fill a packing buffer or a row chunk, so a weight is never expanded as a whole. Same values as
 * {@link WeightMatrix#decodeRow} (the reference), for any column range of every type (block types decode the blocks
 * that cover the range). F16 is a plain loop that C2 turns into vcvtph2ps; BF16, Q8_0, Q4_0 and 2/4-bit PAL use the
 * Vector API (PAL through a lane permutation of its table); 6/8-bit PAL are scalar table lookups. Loaded only
 * when {@link Simd#available()}.
 */
final class WeightRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, 16 * L)));
    /** L bytes, for the block types (null below 8 lanes: no 32-bit shape, the scalar loops serve). */
    private static final VectorSpecies<Byte> BS = L >= 8 && L <= 32 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Lane e of a nibble index vector reads bits [4(e mod 8), +4) of word e / 8 (L = 16 only). */
    private static final IntVector NIBBLE_SHIFT = L == 16 ? IntVector.fromArray(IS, new int[] {0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28}, 0) : null;
    private static final VectorMask<Integer> UPPER_HALF = L == 16 ? VectorMask.fromLong(IS, 0xff00L) : null;
    /** Lane e of a 2-bit index vector reads bits [2e, +2) of its word (L = 16 only). */
    private static final IntVector CRUMB_SHIFT = L == 16 ? IntVector.fromArray(IS, new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, 0) : null;

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
            case Q8_ROW -> q8Row(seg, row, w.cols(), col0, len, dst, off);
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
        int i = 0;
        if (SS.length() == L) {
            for (; i + L <= len; i += L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, seg, byteOff + 2L * i, LE).convertShape(VectorOperators.S2I, IS, 0);
                h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + i);
            }
        }
        for (; i < len; i++) dst[off + i] = Float.intBitsToFloat(seg.get(I16, byteOff + 2L * i) << 16);
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

    /** Columns {@code [col0, col0+len)} of row {@code row} of a Q8_ROW weight (float32 scale, then int8 per column). */
    static void q8Row(MemorySegment seg, int row, int cols, int col0, int len, float[] dst, int off) {
        long base = row * (4L + cols);
        float s = seg.get(F32, base);
        long at = base + 4 + col0;
        int i = 0;
        if (BS != null) {
            FloatVector sv = FloatVector.broadcast(S, s);
            for (; i + L <= len; i += L)
                ((FloatVector) ByteVector.fromMemorySegment(BS, seg, at + i, LE).convertShape(VectorOperators.B2F, S, 0)).mul(sv).intoArray(dst, off + i);
        }
        for (; i < len; i++) dst[off + i] = s * seg.get(I8, at + i);
    }

    /** {@code blocks} Q8_0 blocks (f16 scale d, 32 int8 q; value d*q) from byte {@code at}. */
    static void q8_0(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        if (BS != null) {
            for (int b = 0; b < blocks; b++) {
                long p = at + 34L * b;
                FloatVector d = FloatVector.broadcast(S, Float.float16ToFloat(seg.get(I16, p)));
                int o = off + 32 * b;
                for (int j = 0; j < 32; j += L) {
                    FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BS, seg, p + 2 + j, LE).convertShape(VectorOperators.B2F, S, 0);
                    q.mul(d).intoArray(dst, o + j);
                }
            }
            return;
        }
        for (int b = 0; b < blocks; b++) {
            long p = at + 34L * b;
            float d = Float.float16ToFloat(seg.get(I16, p));
            int o = off + 32 * b;
            for (int i = 0; i < 32; i++) dst[o + i] = d * seg.get(I8, p + 2 + i);
        }
    }

    /** {@code blocks} Q4_0 blocks (f16 scale d, 16 bytes; value d*(nibble-8), low nibbles first) from byte {@code at}. */
    static void q4_0(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        if (BS != null && L <= 16) {
            for (int b = 0; b < blocks; b++) {
                long p = at + 18L * b;
                FloatVector d = FloatVector.broadcast(S, Float.float16ToFloat(seg.get(I16, p)));
                int o = off + 32 * b;
                for (int j = 0; j < 16; j += L) {
                    ByteVector q = ByteVector.fromMemorySegment(BS, seg, p + 2 + j, LE);
                    ByteVector lo = q.and((byte) 0x0f).sub((byte) 8), hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, S, 0)).mul(d).intoArray(dst, o + j);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, S, 0)).mul(d).intoArray(dst, o + 16 + j);
                }
            }
            return;
        }
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
        switch (bits) {
            case 8 -> pal8(idx, rowBase + col0, p.lut(), lutBase, len, dst, off);
            case 4 -> pal4(idx, rowBase, col0, p.lut(), lutBase, len, dst, off);
            case 2 -> pal2(idx, rowBase, col0, p.lut(), lutBase, len, dst, off);
            default -> palBits(idx, rowBase, bits, col0, p.lut(), lutBase, len, dst, off);
        }
    }

    private static void pal8(MemorySegment idx, long at, float[] lut, int lutBase, int len, float[] dst, int off) {
        int i = 0;
        if (BS != null) {
            // L byte indices widened to ints, then one gather from the table
            int[] map = new int[L];
            for (; i + L <= len; i += L) {
                ((IntVector) ByteVector.fromMemorySegment(BS, idx, at + i, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, IS, 0)).intoArray(map, 0);
                FloatVector.fromArray(S, lut, lutBase, map, 0).intoArray(dst, off + i);
            }
        }
        for (; i < len; i++) dst[off + i] = lut[lutBase + (idx.get(I8, at + i) & 0xff)];
    }

    private static void pal4(MemorySegment idx, long rowBase, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
        int i = 0, c = col0;
        if ((c & 1) != 0 && i < len) dst[off + i++] = lut[lutBase + ((idx.get(I8, rowBase + (c++ >> 1)) >> 4) & 0xf)];
        long at = rowBase + (c >> 1);
        if (L == 16) {
            // 16 indices = 8 bytes = one long; the 16-entry table is one vector, indexed by a lane permutation
            FloatVector table = FloatVector.fromArray(S, lut, lutBase);
            for (; i + 16 <= len; i += 16, at += 8) {
                long word = idx.get(I64, at);
                IntVector words = IntVector.broadcast(IS, (int) word).blend(IntVector.broadcast(IS, (int) (word >>> 32)), UPPER_HALF);
                VectorShuffle<Float> sh = words.lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xf).toShuffle().cast(S);
                table.rearrange(sh).intoArray(dst, off + i);
            }
        }
        int pairs = (len - i) >> 1;
        for (int q = 0; q < pairs; q++) {
            int v = idx.get(I8, at + q);
            dst[off + i + 2 * q] = lut[lutBase + (v & 0xf)];
            dst[off + i + 2 * q + 1] = lut[lutBase + ((v >> 4) & 0xf)];
        }
        i += 2 * pairs;
        if (i < len) dst[off + i] = lut[lutBase + (idx.get(I8, at + pairs) & 0xf)];
    }

    private static void pal2(MemorySegment idx, long rowBase, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
        int i = 0;
        if (L == 16 && (col0 & 3) == 0 && len >= 16) {
            // 16 indices = 4 bytes = one int; the 4-entry table sits in the first lanes of one vector
            float[] t4 = new float[16];
            System.arraycopy(lut, lutBase, t4, 0, 4);
            FloatVector table = FloatVector.fromArray(S, t4, 0);
            long at = rowBase + (col0 >> 2);
            for (; i + 16 <= len; i += 16, at += 4) {
                int word = idx.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                VectorShuffle<Float> sh = IntVector.broadcast(IS, word).lanewise(VectorOperators.LSHR, CRUMB_SHIFT).and(3).toShuffle().cast(S);
                table.rearrange(sh).intoArray(dst, off + i);
            }
        }
        for (; i < len; i++) {
            int c = col0 + i;
            int v = idx.get(I8, rowBase + (c >> 2));
            dst[off + i] = lut[lutBase + ((v >> ((c & 3) * 2)) & 3)];
        }
    }

    /** Any width (6 bits here): an index may straddle two bytes. */
    private static void palBits(MemorySegment idx, long rowBase, int bits, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
        int mask = (1 << bits) - 1;
        int i = 0;
        if (bits == 6 && (col0 & 3) == 0) {
            // 4 indices = 3 bytes
            long at = rowBase + col0 / 4 * 3L;
            for (; i + 4 <= len; i += 4, at += 3) {
                int v = (idx.get(I8, at) & 0xff) | (idx.get(I8, at + 1) & 0xff) << 8 | (idx.get(I8, at + 2) & 0xff) << 16;
                dst[off + i] = lut[lutBase + (v & 63)];
                dst[off + i + 1] = lut[lutBase + (v >>> 6 & 63)];
                dst[off + i + 2] = lut[lutBase + (v >>> 12 & 63)];
                dst[off + i + 3] = lut[lutBase + (v >>> 18)];
            }
        }
        for (; i < len; i++) {
            long bit = (long) (col0 + i) * bits;
            long at = rowBase + (bit >>> 3);
            int shift = (int) (bit & 7);
            int v = idx.get(I8, at) & 0xff;
            if (shift + bits > 8) v |= (idx.get(I8, at + 1) & 0xff) << 8;
            dst[off + i] = lut[lutBase + ((v >>> shift) & mask)];
        }
    }
}
