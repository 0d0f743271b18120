package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.synesthesia.testing.VectorOnly;

/** The vector sgemm against {@link GemmScalar} on random shapes, odd sizes, every transpose, alpha/beta, strides. */
@ExtendWith(VectorOnly.class)
class GemmVectorTest {
    private static final int[] SIZES = {1, 2, 3, 5, 16, 17, 31, 33, 65, 127};
    /** Small blocks so that every loop of the blocked product runs several times with edges; A packed. */
    private static GemmVector.Blocking tinyBlocking() {
        return new GemmVector.Blocking(7, 2 * GemmVector.MR, 2 * GemmVector.NR, 1, 0);
    }

    /** Small blocks with a row-major A read in place (every block has at most 2 B micro-panels). */
    private static GemmVector.Blocking tinyDirect() {
        return new GemmVector.Blocking(7, 2 * GemmVector.MR, 2 * GemmVector.NR, 1, 2);
    }

    /** The default blocking with A always packed. */
    private static final GemmVector.Blocking PACKED = new GemmVector.Blocking(GemmVector.BLOCKING.kc(), GemmVector.BLOCKING.mc(),
            GemmVector.BLOCKING.nc(), GemmVector.BLOCKING.taskFlops(), 0);

    @Test
    void randomShapesAllTransposes() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int i = 0; i < 120; i++) {
                int M = SIZES[rnd.nextInt(SIZES.length)], N = SIZES[rnd.nextInt(SIZES.length)], K = SIZES[rnd.nextInt(SIZES.length)];
                boolean tA = rnd.nextBoolean(), tB = rnd.nextBoolean();
                GemmVector.Blocking bl = switch (rnd.nextInt(4)) {
                    case 0 -> GemmVector.BLOCKING;
                    case 1 -> PACKED;
                    case 2 -> tinyDirect();
                    default -> tinyBlocking();
                };
                check(rnd, tA, tB, M, N, K, 1f, 0f, 0, 0, bl, "threads " + threads);
            }
        }
    }

    @Test
    void everyTransposeWithAlphaBetaOffsetsAndStrides() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[][] ab = {{1f, 0f}, {1f, 1f}, {0.5f, -2f}, {-1.5f, 0.25f}, {0f, 3f}, {0f, 0f}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (boolean tA : new boolean[] {false, true})
                for (boolean tB : new boolean[] {false, true})
                    for (float[] x : ab)
                        for (int[] s : new int[][] {{33, 65, 17}, {1, 31, 33}, {17, 1, 5}, {65, 127, 300}, {3, 3, 0}}) {
                            check(rnd, tA, tB, s[0], s[1], s[2], x[0], x[1], 3, 5, tinyBlocking(), "threads " + threads);
                            check(rnd, tA, tB, s[0], s[1], s[2], x[0], x[1], 3, 5, tinyDirect(), "direct, threads " + threads);
                            check(rnd, tA, tB, s[0], s[1], s[2], x[0], x[1], 1, 0, GemmVector.BLOCKING, "threads " + threads);
                        }
        }
    }

    @Test
    void largerProductsSplitOverThreads() {
        SplittableRandom rnd = new SplittableRandom(3);
        Parallel.setThreads(2);
        // M > N splits rows, N > M columns; K > KC exercises several depth blocks
        check(rnd, false, false, 301, 67, 290, 1f, 0f, 0, 0, GemmVector.BLOCKING, "split M");
        check(rnd, false, true, 45, 333, 270, 1f, 1f, 0, 0, GemmVector.BLOCKING, "split N");
        check(rnd, true, true, 129, 131, 257, 0.5f, 2f, 2, 3, GemmVector.BLOCKING, "both transposed");
        // few columns, deep K: A (row-major, unscaled) read in place, over several depth blocks
        check(rnd, false, false, 131, 64, 700, 1f, 1f, 0, 0, GemmVector.BLOCKING, "direct A");
        check(rnd, false, true, 37, 200, 520, 1f, 0f, 1, 2, GemmVector.BLOCKING, "direct A, B transposed");
    }

    @Test
    void matrixVectorEveryTranspose() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (boolean tA : new boolean[] {false, true})
                for (boolean tB : new boolean[] {false, true})
                    for (int N : new int[] {1, 3, 17, 65, 1000, 4099})
                        for (int K : new int[] {1, 31, 33, 256})
                            check(rnd, tA, tB, 1, N, K, 1.25f, N % 2 == 0 ? 0f : 0.5f, 2, 3, GemmVector.BLOCKING, "gemv threads " + threads);
        }
    }

    @Test
    void facadeDispatchesToTheVectorKernel() {
        SplittableRandom rnd = new SplittableRandom(5);
        int M = 37, N = 41, K = 43;
        float[] A = random(rnd, M * K), B = random(rnd, K * N), C1 = new float[M * N], C2 = new float[M * N];
        Gemm.sgemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, C1, 0, N);
        GemmScalar.sgemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, C2, 0, N);
        assertClose("facade", C2, C1, magnitudes(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 0f, C2, 0, N), K);
    }

    /**
     * Runs the vector and scalar kernels on the same random operands placed at offset {@code off} with leading
     * dimensions {@code pad} larger than needed; C's unused cells must be left alone and beta == 0 must ignore C.
     */
    private static void check(SplittableRandom rnd, boolean tA, boolean tB, int M, int N, int K, float alpha, float beta,
                              int off, int pad, GemmVector.Blocking bl, String what) {
        int rowsA = tA ? K : M, colsA = tA ? M : K, rowsB = tB ? N : K, colsB = tB ? K : N;
        int lda = colsA + pad, ldb = colsB + pad, ldc = N + pad;
        float[] A = random(rnd, off + Math.max(0, rowsA - 1) * lda + colsA + 1);
        float[] B = random(rnd, off + Math.max(0, rowsB - 1) * ldb + colsB + 1);
        float[] C0 = random(rnd, off + (M - 1) * ldc + N + 1);
        if (beta == 0f) for (int m = 0; m < M; m++) for (int n = 0; n < N; n++) C0[off + m * ldc + n] = Float.NaN;
        float[] ref = C0.clone(), got = C0.clone();
        GemmScalar.sgemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, ref, off, ldc);
        GemmVector.sgemm(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, got, off, ldc, bl);
        float[] mag = magnitudes(tA, tB, M, N, K, alpha, A, off, lda, B, off, ldb, beta, C0, off, ldc);
        String name = String.format("%s %dx%dx%d tA=%b tB=%b alpha=%s beta=%s off=%d pad=%d kc=%d", what, M, N, K, tA, tB,
                alpha, beta, off, pad, bl.kc());
        assertClose(name, ref, got, mag, K);
    }

    /** |alpha| * sum_k |op(A)(m,k) op(B)(k,n)| + |beta C(m,n)| for each element, elsewhere 0 (must match exactly). */
    private static float[] magnitudes(boolean tA, boolean tB, int M, int N, int K, float alpha, float[] A, int aOff, int lda,
                                      float[] B, int bOff, int ldb, float beta, float[] C, int cOff, int ldc) {
        float[] mag = new float[C.length];
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                double s = 0;
                for (int k = 0; k < K; k++) {
                    float a = tA ? A[aOff + k * lda + m] : A[aOff + m * lda + k];
                    float b = tB ? B[bOff + n * ldb + k] : B[bOff + k * ldb + n];
                    s += Math.abs((double) a * b);
                }
                int c = cOff + m * ldc + n;
                mag[c] = (float) (Math.abs(alpha) * s + (beta == 0 ? 0 : Math.abs(beta * C[c])));
            }
        return mag;
    }

    /** Each element within 8 sqrt(K+1) eps of its magnitude; elements outside C's window bit-identical. */
    static void assertClose(String what, float[] ref, float[] got, float[] mag, int K) {
        assertEquals(ref.length, got.length, what + ": length");
        double eps = Math.ulp(1f);
        for (int i = 0; i < ref.length; i++) {
            double tol = 8 * Math.sqrt(K + 1.0) * eps * mag[i] + 1e-30;
            boolean ok = mag[i] == 0 ? Float.compare(ref[i], got[i]) == 0 || (ref[i] == 0 && got[i] == 0)
                    : Math.abs((double) ref[i] - got[i]) <= tol;
            if (!ok) fail(what + ": element " + i + " is " + got[i] + ", expected " + ref[i] + " (tolerance " + tol + ")");
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    @Test
    void aReadInPlaceGivesTheBitsOfThePackedPath() {
        SplittableRandom rnd = new SplittableRandom(13);
        GemmVector.Blocking direct = new GemmVector.Blocking(GemmVector.BLOCKING.kc(), GemmVector.BLOCKING.mc(),
                GemmVector.BLOCKING.nc(), GemmVector.BLOCKING.taskFlops(), Integer.MAX_VALUE);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] s : new int[][] {{131, 64, 700}, {13, 7, 300}, {1280 / 8, 33, 1153}, {25, 97, 31}}) {
                int M = s[0], N = s[1], K = s[2];
                float[] A = random(rnd, M * K), B = random(rnd, K * N), bias = random(rnd, M * N);
                float[] packed = bias.clone(), inPlace = bias.clone();
                GemmVector.sgemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 1f, packed, 0, N, PACKED);
                GemmVector.sgemm(false, false, M, N, K, 1f, A, 0, K, B, 0, N, 1f, inPlace, 0, N, direct);
                for (int i = 0; i < packed.length; i++)
                    assertEquals(Float.floatToRawIntBits(packed[i]), Float.floatToRawIntBits(inPlace[i]),
                            M + "x" + N + "x" + K + " element " + i + ", threads " + threads);
            }
        }
    }

    @Test
    void zeroSizedProductsTouchNothing() {
        float[] C = new float[6];
        Arrays.fill(C, 5f);
        GemmVector.sgemm(false, false, 0, 3, 4, 1f, new float[0], 0, 4, new float[12], 0, 3, 0f, C, 0, 3);
        GemmVector.sgemm(false, false, 2, 0, 4, 1f, new float[8], 0, 4, new float[0], 0, 0, 0f, C, 0, 3);
        for (float c : C) assertEquals(5f, c);
        GemmVector.sgemm(false, false, 2, 3, 0, 1f, new float[0], 0, 0, new float[0], 0, 3, 0f, C, 0, 3);
        for (float c : C) assertEquals(0f, c);
    }
}
