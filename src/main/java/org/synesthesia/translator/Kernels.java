package org.synesthesia.translator;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.GemmScalar;

/**
 * Which matrix product the translator's passes use: {@link #FAST} is the engine's {@link Gemm#sgemm} (Vector API,
 * multithreaded, scalar where no vectors), {@link #REFERENCE} the plain loops of {@link GemmScalar#sgemm} that the
 * fast path is tested against.
 */
public enum Kernels {
    FAST, REFERENCE;

    /** {@code C[M,N] = op(A)[M,K] op(B)[K,N] + beta C}, row-major, offsets 0. */
    void gemm(boolean transA, boolean transB, int M, int N, int K, float[] A, int lda, float[] B, int ldb, float beta, float[] C, int ldc) {
        if (this == FAST) Gemm.sgemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, beta, C, 0, ldc);
        else GemmScalar.sgemm(transA, transB, M, N, K, 1f, A, 0, lda, B, 0, ldb, beta, C, 0, ldc);
    }
}
