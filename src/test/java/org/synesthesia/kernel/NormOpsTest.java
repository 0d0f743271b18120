package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/** {@link Norm} against {@link NormScalar}, {@link Ops} against {@link OpsScalar} and the broadcasting reference. */
class NormOpsTest {
    @Test
    void transposeMatchesTheDefinitionOnOddShapes() {
        Random r = new Random(9);
        for (int[] c : new int[][] {{1, 1}, {3, 5}, {31, 33}, {64, 320}, {77, 9}, {4096, 3}, {100, 1000}}) {
            int rows = c[0], cols = c[1], lds = cols + 3, ldd = rows + 2;
            float[] src = ConvTest.random(r, 5 + rows * lds);
            float[] dst = new float[1 + cols * ldd], want = new float[dst.length];
            java.util.Arrays.fill(dst, 42f);
            java.util.Arrays.fill(want, 42f);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) want[1 + j * ldd + i] = src[5 + i * lds + j];
            Ops.transpose(src, 5, rows, cols, lds, dst, 1, ldd);
            assertArrayEquals(want, dst, rows + "x" + cols);
        }
    }

    @Test
    void layerNormMatchesScalar() {
        Random r = new Random(1);
        for (int dim : new int[] {1, 3, 7, 17, 33, 384, 1280, 5000}) {
            int rows = 7;
            float[] x = ConvTest.random(r, rows * dim + 4);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 10;    // an offset mean: the variance must be two-pass
            float[] g = ConvTest.random(r, dim), b = ConvTest.random(r, dim);
            for (float[][] gb : new float[][][] {{g, b}, {null, null}, {g, null}}) {
                float[] a = new float[rows * dim + 3], e = new float[rows * dim + 3];
                Norm.layerNorm(x, 4, a, 3, rows, dim, gb[0], gb[1], 1e-5f);
                NormScalar.layerNorm(x, 4, e, 3, rows, dim, gb[0], gb[1], 1e-5f);
                Assert.close("layerNorm " + dim, e, a, 2e-5, 2e-5);
            }
            float[] inPlace = x.clone(), e = x.clone();
            Norm.layerNorm(inPlace, 4, inPlace, 4, rows, dim, g, b, 1e-6f);
            NormScalar.layerNorm(e, 4, e, 4, rows, dim, g, b, 1e-6f);
            Assert.close("layerNorm in place " + dim, e, inPlace, 2e-5, 2e-5);
        }
    }

    @Test
    void groupNormMatchesScalarWithAndWithoutAffineAndSilu() {
        Random r = new Random(2);
        // {N, C, S, groups}: SD's 32 groups, odd planes, one channel per group, one group
        int[][] cases = {{1, 64, 17, 32}, {2, 6, 33, 3}, {1, 5, 7, 5}, {1, 3, 100, 1}, {2, 32, 1, 16}, {1, 128, 4096, 32}};
        for (int[] c : cases) {
            int N = c[0], C = c[1], S = c[2], G = c[3];
            float[] x = ConvTest.random(r, N * C * S);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * 2 - 0.5f;
            float[] g = ConvTest.random(r, C), b = ConvTest.random(r, C);
            String name = java.util.Arrays.toString(c);
            for (float[][] gb : new float[][][] {{g, b}, {null, null}}) {
                float[] a = new float[x.length], e = new float[x.length];
                Norm.groupNorm(x, a, N, C, S, G, gb[0], gb[1], 1e-6f);
                NormScalar.groupNorm(x, e, N, C, S, G, gb[0], gb[1], 1e-6f);
                Assert.close("groupNorm " + name, e, a, 2e-5, 2e-5);
                Norm.groupNormSilu(x, a, N, C, S, G, gb[0], gb[1], 1e-6f);
                NormScalar.groupNormSilu(x, e, N, C, S, G, gb[0], gb[1], 1e-6f);
                Assert.close("groupNormSilu " + name, e, a, 2e-5, 2e-5);
            }
            float[] inPlace = x.clone(), e = new float[x.length];
            Norm.groupNorm(inPlace, inPlace, N, C, S, G, g, b, 1e-5f);
            NormScalar.groupNorm(x, e, N, C, S, G, g, b, 1e-5f);
            Assert.close("groupNorm in place " + name, e, inPlace, 2e-5, 2e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> Norm.groupNorm(new float[12], new float[12], 1, 6, 2, 4, null, null, 1e-5f));
    }

    @Test
    void inPlaceOpsMatchScalar() {
        Random r = new Random(3);
        for (int n : new int[] {1, 3, 17, 33, 1000, 200_003}) {
            float[] y = ConvTest.random(r, n + 2), x = ConvTest.random(r, n + 1);
            float[] a = y.clone(), e = y.clone();
            Ops.addInPlace(a, 2, x, 1, n);
            OpsScalar.addInPlace(e, 2, x, 1, n);
            assertArrayEquals(e, a, 0f, "addInPlace " + n);
            Ops.scale(a, 1, n, 0.37f);
            OpsScalar.scale(e, 1, n, 0.37f);
            assertArrayEquals(e, a, 0f, "scale " + n);
        }
        for (int dim : new int[] {1, 7, 40, 1281}) {
            int rows = 5;
            float[] y = ConvTest.random(r, rows * dim + 1), bias = ConvTest.random(r, dim);
            float[] a = y.clone(), e = y.clone();
            Ops.addRowBias(a, 1, rows, dim, bias);
            OpsScalar.addRowBias(e, 1, rows, dim, bias);
            assertArrayEquals(e, a, 0f, "addRowBias " + dim);
        }
    }

    @Test
    void tensorOpsMatchBroadcastingReference() {
        Random r = new Random(4);
        Tensor a = Tensor.of(ConvTest.random(r, 2 * 3 * 17), 2, 3, 17);
        Tensor b = Tensor.of(ConvTest.random(r, 2 * 3 * 17), 2, 3, 17);
        assertArrayEquals(Ops.binary(a, b, Float::sum).toArray(), Ops.add(a, b).toArray(), 0f);
        assertArrayEquals(Ops.binary(a, b, (x, y) -> x - y).toArray(), Ops.sub(a, b).toArray(), 0f);
        assertArrayEquals(Ops.binary(a, b, (x, y) -> x * y).toArray(), Ops.mul(a, b).toArray(), 0f);
        Tensor row = Tensor.of(ConvTest.random(r, 17), 17);
        Tensor sum = Ops.add(a, row);
        assertArrayEquals(new int[] {2, 3, 17}, sum.shape());
        assertEquals(a.get(1, 2, 5) + row.get(5), sum.get(1, 2, 5));
        // a non-contiguous view goes through the broadcasting path
        Tensor t = a.transpose(1, 2);
        Tensor tt = Tensor.of(ConvTest.random(r, 2 * 17 * 3), 2, 17, 3);
        assertArrayEquals(Ops.binary(t, tt, Float::sum).toArray(), Ops.add(t, tt).toArray(), 0f);
    }
}
