package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.synesthesia.testing.VectorOnly;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;

/**
 * The fused linear ({@code Y = X W^T + bias}) for every weight type against {@link GemmScalar#linear}, which decodes
 * each row with {@link WeightMatrix#decodeRow} (the reference) and multiplies in scalar float.
 */
@ExtendWith(VectorOnly.class)
class LinearVectorTest {
    /** Every stored type, PAL in each width, one table per tensor and one per group of rows. */
    static List<WeightMatrix> weights(SplittableRandom rnd, int N, int K) {
        float[] f = GemmVectorTest.random(rnd, N * K);
        List<WeightMatrix> ws = new ArrayList<>();
        ws.add(WeightMatrix.of(f, N, K));
        ws.add(WeightMatrix.of("f32seg", DType.F32, N, K, floats(f), null));
        ws.add(WeightMatrix.of("f16", DType.F16, N, K, MemorySegment.ofArray(Quantize.toF16(f)), null));
        ws.add(WeightMatrix.of("bf16", DType.BF16, N, K, MemorySegment.ofArray(Quantize.toBF16(f)), null));
        ws.add(WeightMatrix.of("q8_row", DType.Q8_ROW, N, K, MemorySegment.ofArray(Quantize.toQ8Row(f, N, K)), null));
        if (K % 32 == 0) {
            ws.add(WeightMatrix.of("q8_0", DType.Q8_0, N, K, MemorySegment.ofArray(Quantize.toQ8_0(f)), null));
            ws.add(WeightMatrix.of("q4_0", DType.Q4_0, N, K, MemorySegment.ofArray(Quantize.toQ4_0(f)), null));
        }
        for (int bits : new int[] {2, 4, 6, 8}) {
            for (int group : new int[] {N, N % 3 == 0 ? 3 : 1}) {
                var p = Quantize.palettize(f, N, K, bits, group, Quantize.uniformLut(f, N, K, bits, group));
                ws.add(WeightMatrix.of("pal" + bits + "g" + group, DType.PAL, N, K, MemorySegment.ofArray(p.indices()), p.palette()));
            }
        }
        return ws;
    }

    private static MemorySegment floats(float[] f) {
        MemorySegment s = MemorySegment.ofArray(new byte[4 * f.length]);
        MemorySegment.copy(f, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, f.length);
        return s;
    }

    @Test
    void decodedRangesMatchTheReferenceDecoder() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] tmp = new float[64];
        for (int K : new int[] {32, 96, 33, 7}) {
            for (WeightMatrix w : weights(rnd, 6, K)) {
                float[] ref = w.toFloats();
                for (int t = 0; t < 40; t++) {
                    int row = rnd.nextInt(6), c0 = rnd.nextInt(K), len = rnd.nextInt(K - c0 + 1);
                    float[] got = new float[len + 3];
                    w.decodePanel(row, c0, len, got, 3, tmp);
                    for (int i = 0; i < len; i++)
                        assertEquals(ref[row * K + c0 + i], got[3 + i], 0f, w.name() + " row " + row + " col " + (c0 + i));
                }
            }
        }
    }

    @Test
    void everyWeightTypeBothPathsOddShapes() {
        SplittableRandom rnd = new SplittableRandom(2);
        GemmVector.Blocking tiny = new GemmVector.Blocking(40, 2 * GemmVector.MR, 2 * GemmVector.NR, 1, 2);
        int[][] shapes = {{1, 17, 32}, {3, 33, 64}, {5, 65, 96}, {13, 31, 288}, {33, 3, 32}, {2, 1, 33}, {9, 18, 17}, {1, 129, 300}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                int M = s[0], N = s[1], K = s[2];
                for (WeightMatrix w : weights(rnd, N, K)) {
                    for (int smallM : new int[] {0, LinearVector.SMALL_M}) {
                        GemmVector.Blocking bl = rnd.nextBoolean() ? tiny : GemmVector.BLOCKING;
                        boolean bias = rnd.nextBoolean();
                        check(rnd, M, w, bias, 2, 3, bl, smallM,
                                String.format("%s %dx%dx%d threads %d smallM %d kc %d bias %b", w.name(), M, N, K, threads, smallM, bl.kc(), bias));
                    }
                }
            }
        }
    }

    @Test
    void largerProductsSplitOverThreads() {
        SplittableRandom rnd = new SplittableRandom(3);
        Parallel.setThreads(2);
        // K > KC: two depth blocks; M > N splits rows, N > M columns
        for (WeightMatrix w : weights(rnd, 72, 288)) {
            check(rnd, 90, w, true, 0, 0, GemmVector.BLOCKING, LinearVector.SMALL_M, w.name() + " 90x72x288");
            check(rnd, 33, w, false, 0, 0, GemmVector.BLOCKING, LinearVector.SMALL_M, w.name() + " 33x72x288");
        }
        for (WeightMatrix w : weights(rnd, 1000, 64))
            check(rnd, 1, w, true, 0, 0, GemmVector.BLOCKING, LinearVector.SMALL_M, w.name() + " 1x1000x64");
    }

    @Test
    void facadeMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (WeightMatrix w : weights(rnd, 37, 64)) {
            float[] x = GemmVectorTest.random(rnd, 9 * 64), bias = GemmVectorTest.random(rnd, 37);
            float[] got = Gemm.linear(x, 9, w, bias);
            float[] ref = new float[9 * 37];
            GemmScalar.linear(x, 0, 64, 9, w, bias, ref, 0, 37);
            GemmVectorTest.assertClose(w.name(), ref, got, magnitudes(x, 0, 64, 9, w.toFloats(), 37, 64, bias, 37, 0, ref.length), 64);
        }
    }

    /** x and y at offset {@code off} with row strides padded by {@code pad}; y's other cells must stay as they were. */
    private static void check(SplittableRandom rnd, int M, WeightMatrix w, boolean withBias, int off, int pad,
                              GemmVector.Blocking bl, int smallM, String what) {
        int N = w.rows(), K = w.cols();
        int ldx = K + pad, ldy = N + pad;
        float[] x = GemmVectorTest.random(rnd, off + (M - 1) * ldx + K + 1);
        float[] bias = withBias ? GemmVectorTest.random(rnd, N) : null;
        float[] y0 = GemmVectorTest.random(rnd, off + (M - 1) * ldy + N + 1);
        float[] ref = y0.clone(), got = y0.clone();
        GemmScalar.linear(x, off, ldx, M, w, bias, ref, off, ldy);
        LinearVector.linear(x, off, ldx, M, w, bias, got, off, ldy, bl, smallM);
        GemmVectorTest.assertClose(what, ref, got, magnitudes(x, off, ldx, M, w.toFloats(), N, K, bias, ldy, off, y0.length), K);
    }

    /** sum_k |x[m,k] W[n,k]| + |bias[n]| at each output cell, 0 elsewhere. */
    private static float[] magnitudes(float[] x, int off, int ldx, int M, float[] w, int N, int K, float[] bias, int ldy, int yOff, int len) {
        float[] mag = new float[len];
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                double s = bias == null ? 0 : Math.abs(bias[n]);
                for (int k = 0; k < K; k++) s += Math.abs((double) x[off + m * ldx + k] * w[n * K + k]);
                mag[yOff + m * ldy + n] = (float) s;
            }
        return mag;
    }
}
