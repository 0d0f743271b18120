package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products (GEMM with M = 1), memory-bound: B is streamed once, split over the pool along N.
 * Loaded only when {@link Simd#available()}.
 */
final class Gemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Smallest share of B (elements) worth a task of its own. */
    private static final int GRAIN_ELEMENTS = 1 << 16;

    private Gemv() {}

    /** {@code c[n] = alpha * sum_k op(A)[0,k] * op(B)[k,n] + beta * c[n]} for n < N. */
    static void sgemv(boolean transA, boolean transB, int N, int K, float alpha, float[] A, int aOff, int lda,
                      float[] B, int bOff, int ldb, float beta, float[] C, int cOff) {
        float[] x = new float[K];
        for (int k = 0; k < K; k++) x[k] = alpha * A[transA ? aOff + k * lda : aOff + k];
        int grain = Math.max(1, GRAIN_ELEMENTS / Math.max(1, K));
        if (transB) {
            Parallel.forRange(N, grain, (n0, n1) -> dotRows(x, K, B, bOff, ldb, n0, n1, beta, C, cOff));
        } else {
            int strips = (N + L - 1) / L;
            Parallel.forRange(strips, Math.max(1, grain / L), (s0, s1) ->
                    axpyColumns(x, K, B, bOff, ldb, s0 * L, Math.min(N, s1 * L), beta, C, cOff));
        }
    }

    /** {@code c[n] = dot(x, B[off + n*ld .. +K]) + beta*c[n]} for n in [n0, n1): rows of B are contiguous. */
    static void dotRows(float[] x, int K, float[] B, int off, int ld, int n0, int n1, float beta, float[] C, int cOff) {
        int kv = K / L * L;
        int n = n0;
        for (; n + 4 <= n1; n += 4) {
            int r0 = off + n * ld, r1 = r0 + ld, r2 = r1 + ld, r3 = r2 + ld;
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (int k = 0; k < kv; k += L) {
                FloatVector xv = FloatVector.fromArray(S, x, k);
                s0 = FloatVector.fromArray(S, B, r0 + k).fma(xv, s0);
                s1 = FloatVector.fromArray(S, B, r1 + k).fma(xv, s1);
                s2 = FloatVector.fromArray(S, B, r2 + k).fma(xv, s2);
                s3 = FloatVector.fromArray(S, B, r3 + k).fma(xv, s3);
            }
            float d0 = Lanes.sum(s0), d1 = Lanes.sum(s1);
            float d2 = Lanes.sum(s2), d3 = Lanes.sum(s3);
            for (int k = kv; k < K; k++) {
                float xk = x[k];
                d0 += xk * B[r0 + k];
                d1 += xk * B[r1 + k];
                d2 += xk * B[r2 + k];
                d3 += xk * B[r3 + k];
            }
            store(C, cOff + n, d0, beta);
            store(C, cOff + n + 1, d1, beta);
            store(C, cOff + n + 2, d2, beta);
            store(C, cOff + n + 3, d3, beta);
        }
        for (; n < n1; n++) {
            int r0 = off + n * ld;
            FloatVector s0 = FloatVector.zero(S);
            for (int k = 0; k < kv; k += L) s0 = FloatVector.fromArray(S, B, r0 + k).fma(FloatVector.fromArray(S, x, k), s0);
            float d0 = Lanes.sum(s0);
            for (int k = kv; k < K; k++) d0 += x[k] * B[r0 + k];
            store(C, cOff + n, d0, beta);
        }
    }

    private static void store(float[] C, int i, float v, float beta) {
        C[i] = beta == 0f ? v : v + beta * C[i];
    }

    /** Columns of C accumulated at a time by {@link #axpyColumns} (kept in L1). */
    private static final int COLUMN_CHUNK = 1024;

    /**
     * {@code c[n] = sum_k x[k] * B[off + k*ld + n] + beta*c[n]} for n in [n0, n1): for each chunk of columns, the
     * rows of B are streamed in order, four at a time, into accumulators held in L1.
     */
    static void axpyColumns(float[] x, int K, float[] B, int off, int ld, int n0, int n1, float beta, float[] C, int cOff) {
        float[] acc = new float[Math.min(COLUMN_CHUNK, n1 - n0)];
        for (int c0 = n0; c0 < n1; c0 += COLUMN_CHUNK) {
            int w = Math.min(COLUMN_CHUNK, n1 - c0), wv = w / L * L;
            java.util.Arrays.fill(acc, 0, w, 0f);
            int k = 0;
            for (; k + 4 <= K; k += 4) {
                FloatVector x0 = FloatVector.broadcast(S, x[k]), x1 = FloatVector.broadcast(S, x[k + 1]);
                FloatVector x2 = FloatVector.broadcast(S, x[k + 2]), x3 = FloatVector.broadcast(S, x[k + 3]);
                int b0 = off + k * ld + c0, b1 = b0 + ld, b2 = b1 + ld, b3 = b2 + ld;
                int j = 0;
                for (; j < wv; j += L) {
                    FloatVector a = FloatVector.fromArray(S, acc, j);
                    a = x0.fma(FloatVector.fromArray(S, B, b0 + j), a);
                    a = x1.fma(FloatVector.fromArray(S, B, b1 + j), a);
                    a = x2.fma(FloatVector.fromArray(S, B, b2 + j), a);
                    a = x3.fma(FloatVector.fromArray(S, B, b3 + j), a);
                    a.intoArray(acc, j);
                }
                for (; j < w; j++) acc[j] += x[k] * B[b0 + j] + x[k + 1] * B[b1 + j] + x[k + 2] * B[b2 + j] + x[k + 3] * B[b3 + j];
            }
            for (; k < K; k++) {
                FloatVector x0 = FloatVector.broadcast(S, x[k]);
                int b0 = off + k * ld + c0;
                int j = 0;
                for (; j < wv; j += L) x0.fma(FloatVector.fromArray(S, B, b0 + j), FloatVector.fromArray(S, acc, j)).intoArray(acc, j);
                for (; j < w; j++) acc[j] += x[k] * B[b0 + j];
            }
            for (int j = 0; j < w; j++) store(C, cOff + c0 + j, acc[j], beta);
        }
    }

}
