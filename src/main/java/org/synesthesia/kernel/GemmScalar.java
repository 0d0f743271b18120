package org.synesthesia.kernel;

/** Plain scalar GEMM: the reference the optimised kernels are tested against. Accumulates in float. */
public final class GemmScalar {
    private GemmScalar() {}

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        for (int m = 0; m < M; m++) {
            for (int n = 0; n < N; n++) {
                float acc = 0;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + m] : A[aOff + m * lda + k];
                    float b = transB ? B[bOff + n * ldb + k] : B[bOff + k * ldb + n];
                    acc += a * b;
                }
                int c = cOff + m * ldc + n;
                C[c] = alpha * acc + (beta == 0 ? 0 : beta * C[c]);
            }
        }
    }

    public static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy) {
        int N = w.rows(), K = w.cols();
        float[] row = new float[K];
        for (int n = 0; n < N; n++) {
            w.decodeRow(n, 0, K, row, 0);
            float b = bias == null ? 0 : bias[n];
            for (int m = 0; m < M; m++) {
                float acc = 0;
                int xo = xOff + m * ldx;
                for (int k = 0; k < K; k++) acc += x[xo + k] * row[k];
                y[yOff + m * ldy + n] = acc + b;
            }
        }
    }
}
