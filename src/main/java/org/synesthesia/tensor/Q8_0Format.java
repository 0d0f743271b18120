package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml's Q8_0 (type 8): blocks of 32 values, an f16 scale d then 32 int8 q (34 bytes); value = d * q. */
public final class Q8_0Format extends BlockFormat {
    public static final Q8_0Format INSTANCE = new Q8_0Format();
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private Q8_0Format() {
        super(DType.Q8_0, 8);
    }

    @Override
    void decodeBlocks(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        for (int b = 0; b < blocks; b++) {
            long base = at + b * 34L;
            float d = Float.float16ToFloat(seg.get(I16, base));
            for (int i = 0; i < 32; i++) dst[off + b * 32 + i] = d * seg.get(I8, base + 2 + i);
        }
    }

    @Override
    void decodeBlocksVector(MemorySegment seg, long at, int blocks, float[] dst, int off) {
        if (!Vec.decode(seg, at, blocks, dst, off)) decodeBlocks(seg, at, blocks, dst, off);
    }

    /**
     * Per block, scale {@code d = max|x| / 127} stored as f16, then {@code q = round(x / d)} (halves away from zero)
     * as int8. The length must be a multiple of 32.
     */
    @Override
    byte[] encode(float[] x) {
        int blocks = wholeBlocks(x);
        byte[] out = new byte[blocks * 34];
        for (int b = 0; b < blocks; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            int o = 34 * b;
            putShort(out, o, Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) out[o + 2 + i] = (byte) roundHalfAway(x[32 * b + i] * id);
        }
        return out;
    }

    /** Vector API decoder: L int8 at a time widened to float and scaled. */
    private static final class Vec {
        /** Returns false, having done nothing, where the vector shape does not exist. */
        static boolean decode(MemorySegment seg, long at, int blocks, float[] dst, int off) {
            if (FormatLanes.BS == null) return false;
            int L = FormatLanes.L;
            for (int b = 0; b < blocks; b++) {
                long p = at + 34L * b;
                FloatVector d = FloatVector.broadcast(FormatLanes.S, Float.float16ToFloat(seg.get(I16, p)));
                int o = off + 32 * b;
                for (int j = 0; j < 32; j += L) {
                    FloatVector q = (FloatVector) ByteVector.fromMemorySegment(FormatLanes.BS, seg, p + 2 + j, FormatLanes.LE)
                            .convertShape(VectorOperators.B2F, FormatLanes.S, 0);
                    q.mul(d).intoArray(dst, o + j);
                }
            }
            return true;
        }
    }
}
