package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.synesthesia.tensor.DType;

/**
 * {@code Y[M,N] = X[M,K] * W^T + bias} with W a {@link WeightMatrix} [N,K] of any stored type, dequantized inside
 * the kernel. Loaded only when {@link Simd#available()}.
 *
 * <p>Few rows (M up to {@link #SMALL_M}, e.g. one decoder token): W is streamed once, row by row, split over the
 * pool along N; each row is decoded in chunks into a small buffer (or read in place for F32) and dotted with the M
 * rows of X. More rows: the packed GEMM of {@link GemmVector} with op(B) = W^T, whose B panels (KC x NR) are
 * decoded from W as they are packed, never the whole weight.
 */
final class LinearVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Largest M served by the streaming path. */
    static final int SMALL_M = 4;
    /** Columns of W decoded at a time on the streaming path. */
    private static final int CHUNK = 2048;
    /** Smallest number of W elements worth a task of its own on the streaming path. */
    private static final int GRAIN_ELEMENTS = 1 << 15;

    private LinearVector() {}

    static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy) {
        linear(x, xOff, ldx, M, w, bias, y, yOff, ldy, GemmVector.BLOCKING, SMALL_M);
    }

    /** As above with explicit blocking and streaming threshold (tests). */
    static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy,
                       GemmVector.Blocking bl, int smallM) {
        int N = w.rows(), K = w.cols();
        if (M <= 0 || N <= 0) return;
        if (K == 0) {
            for (int m = 0; m < M; m++)
                for (int n = 0; n < N; n++) y[yOff + m * ldy + n] = bias == null ? 0f : bias[n];
            return;
        }
        if (M <= smallM) {
            int grain = Math.max(1, GRAIN_ELEMENTS / K);
            Parallel.forRange(N, grain, (n0, n1) -> streamRows(x, xOff, ldx, M, w, bias, y, yOff, ldy, n0, n1));
            return;
        }
        GemmVector.PackB pb = w.heap() != null ? new GemmVector.TransposedB(w.heap(), 0, K) : new WeightB(w);
        int cost = switch (w.dtype()) {
            case F32 -> 1;
            case PAL -> 4;
            default -> 2;
        };
        GemmVector.run(false, M, N, K, 1f, x, xOff, ldx, pb, cost, 0f, y, yOff, ldy, bias, bl);
    }

    /** {@code y[m, n] = dot(x[m, :], W[n, :]) + bias[n]} for m < M, n in [n0, n1). */
    private static void streamRows(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias,
                                   float[] y, int yOff, int ldy, int n0, int n1) {
        int K = w.cols();
        float[] acc = new float[M];
        float[] heap = w.heap();
        boolean segF32 = heap == null && w.dtype() == DType.F32;
        GemmVector.Scratch s = GemmVector.scratch();
        float[] buf = s.row(Math.min(K, CHUNK) + 32);
        float[] tmp = s.tile;
        for (int n = n0; n < n1; n++) {
            java.util.Arrays.fill(acc, 0f);
            for (int k0 = 0; k0 < K; k0 += CHUNK) {
                int len = Math.min(CHUNK, K - k0);
                for (int m = 0; m < M; m++) {
                    int xo = xOff + m * ldx + k0;
                    if (heap != null) acc[m] += dot(x, xo, heap, n * K + k0, len);
                    else if (segF32) acc[m] += dot(x, xo, w.data(), ((long) n * K + k0) * 4, len);
                    else {
                        if (m == 0) WeightRows.decode(w, n, k0, len, buf, 0, tmp);
                        acc[m] += dot(x, xo, buf, 0, len);
                    }
                }
            }
            float b = bias == null ? 0f : bias[n];
            for (int m = 0; m < M; m++) y[yOff + m * ldy + n] = acc[m] + b;
        }
    }

    /** {@code sum_i a[ai + i] * b[bi + i]} for i < n. */
    static float dot(float[] a, int ai, float[] b, int bi, int n) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            s0 = FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromArray(S, b, bi + i), s0);
            s1 = FloatVector.fromArray(S, a, ai + i + L).fma(FloatVector.fromArray(S, b, bi + i + L), s1);
            s2 = FloatVector.fromArray(S, a, ai + i + 2 * L).fma(FloatVector.fromArray(S, b, bi + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, ai + i + 3 * L).fma(FloatVector.fromArray(S, b, bi + i + 3 * L), s3);
        }
        for (; i + L <= n; i += L) s0 = FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromArray(S, b, bi + i), s0);
        float r = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) r += a[ai + i] * b[bi + i];
        return r;
    }

    /** {@code sum_i a[ai + i] * f32(seg at byte bOff + 4i)} for i < n. */
    static float dot(float[] a, int ai, MemorySegment seg, long bOff, int n) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            long p = bOff + 4L * i;
            s0 = FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromMemorySegment(S, seg, p, le), s0);
            s1 = FloatVector.fromArray(S, a, ai + i + L).fma(FloatVector.fromMemorySegment(S, seg, p + 4L * L, le), s1);
            s2 = FloatVector.fromArray(S, a, ai + i + 2 * L).fma(FloatVector.fromMemorySegment(S, seg, p + 8L * L, le), s2);
            s3 = FloatVector.fromArray(S, a, ai + i + 3 * L).fma(FloatVector.fromMemorySegment(S, seg, p + 12L * L, le), s3);
        }
        for (; i + L <= n; i += L) s0 = FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromMemorySegment(S, seg, bOff + 4L * i, le), s0);
        float r = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) r += a[ai + i] * seg.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, bOff + 4L * i);
        return r;
    }

    /** op(B) = W^T decoded from a stored weight while packing: element (k, n) = W[n, k]. */
    record WeightB(WeightMatrix w) implements GemmVector.PackB {
        @Override
        public void pack(int k0, int kc, int n0, int nc, float[] dst, GemmVector.Scratch s) {
            float[] row = s.row(kc);
            float[] tmp = s.tile;
            int NR = GemmVector.NR;
            for (int jr = 0; jr < nc; jr += NR) {
                int wd = GemmVector.panelWidth(jr, nc);
                int cols = Math.min(wd, nc - jr);
                int d = jr * kc;
                for (int j = 0; j < cols; j++) {
                    WeightRows.decode(w, n0 + jr + j, k0, kc, row, 0, tmp);
                    for (int k = 0; k < kc; k++) dst[d + k * wd + j] = row[k];
                }
                for (int j = cols; j < wd; j++)
                    for (int k = 0; k < kc; k++) dst[d + k * wd + j] = 0f;
            }
        }
    }
}
