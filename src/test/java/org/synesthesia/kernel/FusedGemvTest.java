package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.synesthesia.testing.VectorOnly;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;

/**
 * {@link FusedGemv} (one input row, F16 and Q8_0 read in place) against {@link GemmScalar#linear}: every f16 bit
 * pattern converts as {@link Float#float16ToFloat} does, and products of random odd shapes match the reference.
 */
@ExtendWith(VectorOnly.class)
class FusedGemvTest {
    @Test
    void everyHalfConvertsAsTheScalarDoes() {
        int L = FusedGemv.lanes();
        MemorySegment seg = MemorySegment.ofArray(new short[65536 + L]);
        for (int h = 0; h < 65536; h++) seg.setAtIndex(ValueLayout.JAVA_SHORT, h, (short) h);
        float[] got = new float[L];
        for (int h0 = 0; h0 < 65536; h0 += L) {
            FusedGemv.halves(seg, 2L * h0, got, 0);
            for (int i = 0; i < L; i++) {
                if (((h0 + i) & 0x7c00) == 0x7c00) continue; // infinities and NaNs: weights holding any take the buffered path
                float ref = Float.float16ToFloat((short) (h0 + i));
                assertEquals(Float.floatToRawIntBits(ref), Float.floatToRawIntBits(got[i]), "f16 bits 0x" + Integer.toHexString(h0 + i));
            }
        }
    }

    @Test
    void laneDecoderMatchesTheReferenceOnOddRanges() {
        SplittableRandom rnd = new SplittableRandom(9);
        float[] f = GemmVectorTest.random(rnd, 3 * 77);
        f[5] = 1e-6f; // an f16 subnormal
        f[6] = -0f;
        WeightMatrix w = WeightMatrix.of("f16", DType.F16, 3, 77, MemorySegment.ofArray(Quantize.toF16(f)), null);
        float[] ref = w.toFloats();
        for (int t = 0; t < 100; t++) {
            int row = rnd.nextInt(3), c0 = rnd.nextInt(77), len = rnd.nextInt(77 - c0 + 1);
            float[] got = new float[len + 2];
            FusedGemv.decodeF16(w.data(), 2L * (row * 77 + c0), len, got, 2);
            for (int i = 0; i < len; i++)
                assertEquals(Float.floatToRawIntBits(ref[row * 77 + c0 + i]), Float.floatToRawIntBits(got[2 + i]), "row " + row + " col " + (c0 + i));
        }
    }

    @Test
    void aWeightWithAnInfinityOrNaNTakesTheBufferedPath() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NaN}) {
            float[] f = GemmVectorTest.random(rnd, 5 * 48);
            f[77] = bad;
            WeightMatrix w = WeightMatrix.of("f16", DType.F16, 5, 48, MemorySegment.ofArray(Quantize.toF16(f)), null);
            assertTrue(!FusedGemv.handles(w));
            float[] x = GemmVectorTest.random(rnd, 48), ref = new float[5], got = new float[5];
            GemmScalar.linear(x, 0, 48, 1, w, null, ref, 0, 5);
            LinearVector.linear(x, 0, 48, 1, w, null, got, 0, 5);
            assertTrue(Float.isNaN(got[1]) || Float.isInfinite(got[1]), "row 1 holds " + bad + ": " + got[1]);
            for (int n : new int[] {0, 2, 3, 4}) assertEquals(ref[n], got[n], 1e-4f * (1 + Math.abs(ref[n])), "row " + n);
        }
        WeightMatrix ok = WeightMatrix.of("f16", DType.F16, 2, 32, MemorySegment.ofArray(Quantize.toF16(GemmVectorTest.random(rnd, 64))), null);
        assertTrue(FusedGemv.handles(ok));
    }

    @Test
    void oneRowProductsMatchTheReferenceOnOddShapes() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] shapes = {{1, 32}, {3, 64}, {5, 96}, {7, 17}, {13, 33}, {31, 288}, {130, 512}, {9, 1}, {4, 2048}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int[] s : shapes) {
                int N = s[0], K = s[1];
                float[] f = GemmVectorTest.random(rnd, N * K);
                WeightMatrix[] ws = K % 32 == 0
                        ? new WeightMatrix[] {WeightMatrix.of("f16", DType.F16, N, K, MemorySegment.ofArray(Quantize.toF16(f)), null),
                                WeightMatrix.of("q8_0", DType.Q8_0, N, K, MemorySegment.ofArray(Quantize.toQ8_0(f)), null)}
                        : new WeightMatrix[] {WeightMatrix.of("f16", DType.F16, N, K, MemorySegment.ofArray(Quantize.toF16(f)), null)};
                for (WeightMatrix w : ws) {
                    assertTrue(FusedGemv.handles(w), w.name());
                    int xOff = rnd.nextInt(3), yOff = rnd.nextInt(3);
                    float[] x = GemmVectorTest.random(rnd, xOff + K);
                    float[] bias = rnd.nextBoolean() ? GemmVectorTest.random(rnd, N) : null;
                    float[] y0 = GemmVectorTest.random(rnd, yOff + N + 2);
                    float[] ref = y0.clone(), got = y0.clone();
                    GemmScalar.linear(x, xOff, K, 1, w, bias, ref, yOff, N);
                    LinearVector.linear(x, xOff, K, 1, w, bias, got, yOff, N);
                    float[] wf = w.toFloats(), mag = new float[y0.length];
                    for (int n = 0; n < N; n++) {
                        double m = bias == null ? 0 : Math.abs(bias[n]);
                        for (int k = 0; k < K; k++) m += Math.abs((double) x[xOff + k] * wf[n * K + k]);
                        mag[yOff + n] = (float) m;
                    }
                    GemmVectorTest.assertClose(w.name() + " 1x" + N + "x" + K + " threads " + threads, ref, got, mag, K);
                }
            }
        }
    }

    @Test
    void anF16WeightGivesTheBitsOfItsF32CopyForAnyNumberOfRows() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int[] s : new int[][] {{7, 17}, {5, 96}, {33, 512}, {3, 4099}, {9, 2048 + 40}}) {
            int N = s[0], K = s[1];
            WeightMatrix f16 = WeightMatrix.of("f16", DType.F16, N, K, MemorySegment.ofArray(Quantize.toF16(GemmVectorTest.random(rnd, N * K))), null);
            WeightMatrix f32 = WeightMatrix.of(f16.toFloats(), N, K);
            assertTrue(FusedGemv.handles(f16));
            for (int M : new int[] {1, 3}) {
                float[] x = GemmVectorTest.random(rnd, M * K), bias = GemmVectorTest.random(rnd, N);
                float[] a = new float[M * N], b = new float[M * N];
                LinearVector.linear(x, 0, K, M, f16, bias, a, 0, N);
                LinearVector.linear(x, 0, K, M, f32, bias, b, 0, N);
                for (int i = 0; i < a.length; i++)
                    assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(a[i]), M + "x" + N + "x" + K + " element " + i);
            }
        }
    }
}
