package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's Q4_0 (type 2): blocks of 32 values, an f16 scale d then 16 bytes of nibbles (18 bytes); byte i holds
 * element i in its low nibble and element i + 16 in its high nibble; value = d * (nibble - 8).
 */
public final class Q4_0Format extends BlockFormat {
    public static final Q4_0Format INSTANCE = new Q4_0Format();
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private Q4_0Format() {
        super(DType.Q4_0, 2);
    }

    @Override
    void decodeBlocks(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        for (int b = 0; b < blocks; b++) {
            long base = at + b * 18L;
            float d = Float.float16ToFloat(seg.get(I16, base));
            for (int i = 0; i < 16; i++) {
                int q = seg.get(I8, base + 2 + i) & 0xff;
                dst[off + b * 32 + i] = d * ((q & 0x0f) - 8);
                dst[off + b * 32 + i + 16] = d * ((q >>> 4) - 8);
            }
        }
    }

    @Override
    void decodeBlocksVector(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        if (!Vec.decode(seg, at, blocks, dst, off)) decodeBlocks(seg, at, blocks, dst, off);
    }

    /**
     * Per block, {@code d = m / -8} where m is the value of largest magnitude (sign kept), stored as f16;
     * {@code q = min(15, (int) (x / d + 8.5))}. The length must be a multiple of 32.
     */
    @Override
    byte[] encode(float[] x) {
        int blocks = wholeBlocks(x);
        byte[] out = new byte[blocks * 18];
        for (int b = 0; b < blocks; b++) {
            float amax = 0, max = 0;
            for (int i = 0; i < 32; i++) {
                float v = x[32 * b + i];
                if (Math.abs(v) > amax) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            int o = 18 * b;
            putShort(out, o, Float.floatToFloat16(d));
            for (int i = 0; i < 16; i++) {
                int lo = Math.min(15, (int) (x[32 * b + i] * id + 8.5f));
                int hi = Math.min(15, (int) (x[32 * b + 16 + i] * id + 8.5f));
                out[o + 2 + i] = (byte) (lo | hi << 4);
            }
        }
        return out;
    }

    /** Vector API decoder: L bytes at a time split into low and high nibbles, each widened to float and scaled. */
    private static final class Vec {
        /** Returns false, having done nothing, where the vector shape does not exist. */
        static boolean decode(MemorySegment seg, long at, int blocks, float[] dst, int off) {
            if (FormatLanes.BS == null || FormatLanes.L > 16) return false;
            int L = FormatLanes.L;
            for (int b = 0; b < blocks; b++) {
                long p = at + 18L * b;
                FloatVector d = FloatVector.broadcast(FormatLanes.S, Float.float16ToFloat(seg.get(I16, p)));
                int o = off + 32 * b;
                for (int j = 0; j < 16; j += L) {
                    ByteVector q = ByteVector.fromMemorySegment(FormatLanes.BS, seg, p + 2 + j, FormatLanes.LE);
                    ByteVector lo = q.and((byte) 0x0f).sub((byte) 8), hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, FormatLanes.S, 0)).mul(d).intoArray(dst, o + j);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, FormatLanes.S, 0)).mul(d).intoArray(dst, o + 16 + j);
                }
            }
            return true;
        }
    }
}
