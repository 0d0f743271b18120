package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.synesthesia.tensor.DType;

/**
 * {@code y[n] = dot(x, W[n, :]) + bias[n]} for one input row (a decoder token) with W stored as F16 or Q8_0 in
 * mapped memory, no decode buffer: each row of W is read once in address order (four vectors a step into four
 * accumulators), converted to float in registers and multiplied with x. Row after row rather than four rows
 * interleaved: from DRAM the interleaved order streamed at half the bandwidth. The reference is {@link GemmScalar#linear} (each row decoded by {@link WeightMatrix#decodeRow}).
 * Loaded only when {@link Simd#available()}.
 *
 * <p>F16 to float in lanes: with {@code h} the 16 bits sign-extended to 32, {@code v = bits((h << 13) & 0x8fffe000) * 2^112}
 * (exact for zeros, subnormals and normals: the shift puts the sign in bit 31 and the f16 exponent and mantissa in a
 * float whose exponent is 112 too small). Infinities and NaNs would come out finite, so a weight holding any
 * ({@link WeightMatrix#finiteHalves}, checked once per weight) takes the buffered path.
 * Q8_0: per block of 32, {@code sum_i d q_i x_i = d * sum_i q_i x_i}, the int8 widened to float.
 */
final class FusedGemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    /** L shorts (a 16 L-bit shape), or null where no such shape exists (the buffered path serves). */
    private static final VectorSpecies<Short> SS = L >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L)) : null;
    /** L bytes, or null below 8 lanes. */
    private static final VectorSpecies<Byte> BS = L >= 8 && L <= 32 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Sign and the 15 exponent-and-mantissa bits of a sign-extended f16 shifted left by 13. */
    private static final int F16_BITS = 0x8fffe000;
    /** 2^112: the float exponent bias minus the f16 one, as a factor. */
    private static final float F16_SCALE = 0x1p112f;
    /** Whether the fused kernels run: -Dsynesthesia.gemv.fused=false keeps the buffered path (A/B timing). */
    static final boolean ENABLED = !"false".equals(System.getProperty("synesthesia.gemv.fused"));

    private FusedGemv() {}

    /** Whether {@link #rows} serves this weight. */
    static boolean handles(WeightMatrix w) {
        if (!ENABLED || w.data() == null) return false;
        return w.dtype() == DType.F16 && SS != null && SS.length() == L && w.finiteHalves()
                || w.dtype() == DType.Q8_0 && BS != null && 32 % L == 0;
    }

    /** {@code y[yOff + n] = dot(x[xOff, +K), W[n, :]) + bias[n]} for n in [n0, n1). */
    static void rows(float[] x, int xOff, WeightMatrix w, float[] bias, float[] y, int yOff, int n0, int n1) {
        int K = w.cols();
        MemorySegment seg = w.data();
        boolean f16 = w.dtype() == DType.F16;
        long rowBytes = f16 ? 2L * K : (long) K / 32 * 34;
        for (int n = n0; n < n1; n++) {
            long a = n * rowBytes;
            float d = f16 ? f16x1(seg, a, x, xOff, K) : q8x1(seg, a, x, xOff, K / 32);
            y[yOff + n] = d + (bias == null ? 0f : bias[n]);
        }
    }

    /**
     * {@code dst[off + i] = f16 value at byte at + 2i} for i < len, by the lane conversion (finite halves only): the
     * buffered path's decoder for F16 weights that {@link #handles} serves.
     */
    static void decodeF16(MemorySegment seg, long at, int len, float[] dst, int off) {
        int i = 0;
        for (; i + L <= len; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, seg, at + 2L * i, LE).convertShape(VectorOperators.S2I, IS, 0);
            ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats()).mul(F16_SCALE).intoArray(dst, off + i);
        }
        for (; i < len; i++) dst[off + i] = Float.float16ToFloat(seg.get(I16, at + 2L * i));
    }

    /** L f16 values at byte {@code at} converted by the lane code into {@code dst[off..]} (tests). */
    static void halves(MemorySegment seg, long at, float[] dst, int off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SS, seg, at, LE).convertShape(VectorOperators.S2I, IS, 0);
        ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats()).mul(F16_SCALE).intoArray(dst, off);
    }

    /** Lanes per vector. */
    static int lanes() {
        return L;
    }

    /**
     * {@code sum_{i<K} x[xo + i] * f16(row at byte a)[i]}: one row, read in order, in the order of additions of the
     * buffered path ({@link LinearVector}'s {@code dot4} over decoded chunks of {@code chunk} values: even and odd
     * vectors in two accumulators, their lane sum, the tail, then the chunks' sums in turn), so that an F16 weight
     * gives the bits its F32 copy gives, for any M.
     */
    static float f16x1(MemorySegment seg, long a, float[] x, int xo, int K) {
        int chunk = Math.min(K, LinearVector.CHUNK);
        float acc = 0f;
        for (int k0 = 0; k0 < K; k0 += chunk) {
            int n = Math.min(chunk, K - k0);
            long c = a + 2L * k0;
            int xc = xo + k0;
            FloatVector s0 = FloatVector.zero(S), t0 = FloatVector.zero(S);
            int i = 0;
            for (; i + 2 * L <= n; i += 2 * L) {
                long b = c + 2L * i;
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(SS, seg, b, LE).convertShape(VectorOperators.S2I, IS, 0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(SS, seg, b + 2 * L, LE).convertShape(VectorOperators.S2I, IS, 0);
                FloatVector w0 = ((FloatVector) h0.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats()).mul(F16_SCALE);
                FloatVector w1 = ((FloatVector) h1.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats()).mul(F16_SCALE);
                s0 = FloatVector.fromArray(S, x, xc + i).fma(w0, s0);
                t0 = FloatVector.fromArray(S, x, xc + i + L).fma(w1, t0);
            }
            for (; i + L <= n; i += L) {
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(SS, seg, c + 2L * i, LE).convertShape(VectorOperators.S2I, IS, 0);
                FloatVector w0 = ((FloatVector) h0.lanewise(VectorOperators.LSHL, 13).and(F16_BITS).reinterpretAsFloats()).mul(F16_SCALE);
                s0 = FloatVector.fromArray(S, x, xc + i).fma(w0, s0);
            }
            float d = Lanes.sum(s0.add(t0));
            for (; i < n; i++) d += x[xc + i] * Float.float16ToFloat(seg.get(I16, c + 2L * i));
            acc += d;
        }
        return acc;
    }

    private static float scale(MemorySegment seg, long at) {
        return Float.float16ToFloat(seg.get(I16, at));
    }

    /** {@code sum_b d_b * sum_{i<32} x[xo + 32b + i] q_b[i]} over {@code blocks} Q8_0 blocks of one row at byte a. */
    static float q8x1(MemorySegment seg, long a, float[] x, int xo, int blocks) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            long o = a + 34L * b;
            FloatVector p0 = FloatVector.zero(S), p1 = FloatVector.zero(S);
            for (int j = 0; j < 32; j += L) {
                FloatVector q0 = (FloatVector) ByteVector.fromMemorySegment(BS, seg, o + 2 + j, LE).convertShape(VectorOperators.B2F, S, 0);
                FloatVector q1 = (FloatVector) ByteVector.fromMemorySegment(BS, seg, o + 36 + j, LE).convertShape(VectorOperators.B2F, S, 0);
                p0 = q0.fma(FloatVector.fromArray(S, x, xo + 32 * b + j), p0);
                p1 = q1.fma(FloatVector.fromArray(S, x, xo + 32 * b + 32 + j), p1);
            }
            s0 = p0.fma(FloatVector.broadcast(S, scale(seg, o)), s0);
            s1 = p1.fma(FloatVector.broadcast(S, scale(seg, o + 34)), s1);
        }
        for (; b < blocks; b++) {
            long o = a + 34L * b;
            FloatVector p0 = FloatVector.zero(S);
            for (int j = 0; j < 32; j += L) {
                FloatVector q0 = (FloatVector) ByteVector.fromMemorySegment(BS, seg, o + 2 + j, LE).convertShape(VectorOperators.B2F, S, 0);
                p0 = q0.fma(FloatVector.fromArray(S, x, xo + 32 * b + j), p0);
            }
            s0 = p0.fma(FloatVector.broadcast(S, scale(seg, o)), s0);
        }
        return Lanes.sum(s0.add(s1));
    }
}
