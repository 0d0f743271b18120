package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
            float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
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
            float d0 = s0.reduceLanes(VectorOperators.ADD);
            for (int k = kv; k < K; k++) d0 += x[k] * B[r0 + k];
            store(C, cOff + n, d0, beta);
        }
    }

    private static void store(float[] C, int i, float v, float beta) {
        C[i] = beta == 0f ? v : v + beta * C[i];
    }

    /** {@code c[n] = sum_k x[k] * B[off + k*ld + n] + beta*c[n]} for n in [n0, n1): columns of B, rows streamed. */
    static void axpyColumns(float[] x, int K, float[] B, int off, int ld, int n0, int n1, float beta, float[] C, int cOff) {
        int n = n0;
        for (; n + 4 * L <= n1; n += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (int k = 0; k < K; k++) {
                FloatVector xv = FloatVector.broadcast(S, x[k]);
                int b = off + k * ld + n;
                s0 = FloatVector.fromArray(S, B, b).fma(xv, s0);
                s1 = FloatVector.fromArray(S, B, b + L).fma(xv, s1);
                s2 = FloatVector.fromArray(S, B, b + 2 * L).fma(xv, s2);
                s3 = FloatVector.fromArray(S, B, b + 3 * L).fma(xv, s3);
            }
            storeVec(C, cOff + n, s0, beta);
            storeVec(C, cOff + n + L, s1, beta);
            storeVec(C, cOff + n + 2 * L, s2, beta);
            storeVec(C, cOff + n + 3 * L, s3, beta);
        }
        for (; n + L <= n1; n += L) {
            FloatVector s0 = FloatVector.zero(S);
            for (int k = 0; k < K; k++) s0 = FloatVector.fromArray(S, B, off + k * ld + n).fma(FloatVector.broadcast(S, x[k]), s0);
            storeVec(C, cOff + n, s0, beta);
        }
        for (; n < n1; n++) {
            float d = 0;
            for (int k = 0; k < K; k++) d += x[k] * B[off + k * ld + n];
            store(C, cOff + n, d, beta);
        }
    }

    private static void storeVec(float[] C, int i, FloatVector v, float beta) {
        if (beta == 0f) v.intoArray(C, i);
        else FloatVector.fromArray(S, C, i).fma(FloatVector.broadcast(S, beta), v).intoArray(C, i);
    }
}
