package org.synesthesia.kernel;

/**
 * Matrix products, row-major throughout.
 *
 * <ul>
 *   <li>{@link #sgemm}: {@code C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C}, op = optional transpose.</li>
 *   <li>{@link #linear}: {@code Y[M,N] = X[M,K] * W^T + bias}, W a {@link WeightMatrix} [N,K] of any stored type
 *   (PyTorch's Linear; also convolutions after im2col).</li>
 * </ul>
 * Dispatches to the Vector API kernels when available ({@link GemmVector}: packed, cache-blocked, register-tiled,
 * multithreaded over {@link Parallel}; M = 1 as a streaming matrix-vector product; {@link LinearVector}: weights
 * dequantized panel by panel inside the kernel), else to {@link GemmScalar}, the reference.
 */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        if (Simd.available()) GemmVector.sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
        else GemmScalar.sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
    }

    /** {@code y[m*ldy + n] = sum_k x[m*ldx + k] * W[n,k] + bias[n]} for m < M, n < W.rows(); bias may be null. */
    public static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy) {
        if (Simd.available()) LinearVector.linear(x, xOff, ldx, M, w, bias, y, yOff, ldy);
        else GemmScalar.linear(x, xOff, ldx, M, w, bias, y, yOff, ldy);
    }

    /** {@link #linear} on contiguous rows: x [M, K], y [M, N]. */
    public static float[] linear(float[] x, int M, WeightMatrix w, float[] bias) {
        if ((long) M * w.cols() != x.length) throw new IllegalArgumentException("linear " + w.name() + ": input has " + x.length + " values, expected " + M + "x" + w.cols());
        float[] y = new float[M * w.rows()];
        linear(x, 0, w.cols(), M, w, bias, y, 0, w.rows());
        return y;
    }
}
