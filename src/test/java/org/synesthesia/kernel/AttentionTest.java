package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/** {@link Attention} (both paths of {@link AttentionVector}, several tile sizes) against {@link AttentionScalar}. */
class AttentionTest {
    /** {lq, lk, heads, d, causal} */
    private static final int[][] CASES = {
            {1, 1, 1, 1, 0}, {1, 17, 3, 40, 1}, {3, 7, 2, 17, 0}, {7, 7, 1, 64, 1}, {17, 33, 3, 40, 1},
            {33, 33, 2, 8, 1}, {40, 17, 2, 24, 1},    // lk < lq: the first queries see no key
            {70, 150, 2, 40, 0}, {65, 129, 1, 64, 1}, {20, 300, 3, 5, 1}, {16, 16, 4, 33, 0}, {5, 448, 6, 64, 1},
    };

    @Test
    void matchesScalarOnBothPathsWithStridesAndOffsets() {
        Random r = new Random(17);
        int L = VecMath.L;
        for (int[] c : CASES) {
            int lq = c[0], lk = c[1], heads = c[2], d = c[3];
            boolean causal = c[4] == 1;
            int w = heads * d;
            // q, k, v interleaved in one array as a fused QKV projection writes them, plus slack and offsets
            int ld = 3 * w + 5;
            int rowsMax = Math.max(lq, lk);
            float[] qkv = ConvTest.random(r, 3 + rowsMax * ld);
            int qOff = 3, kOff = 3 + w, vOff = 3 + 2 * w;
            int ldo = w + 3, oOff = 2;
            float scale = (float) (1 / Math.sqrt(d));
            float[] ref = new float[oOff + lq * ldo];
            java.util.Arrays.fill(ref, 42f);
            AttentionScalar.sdpa(qkv, qOff, ld, qkv, kOff, ld, qkv, vOff, ld, ref, oOff, ldo, lq, lk, heads, d, scale, causal);
            String name = java.util.Arrays.toString(c);
            float[] got = ref.clone();
            java.util.Arrays.fill(got, 42f);
            Attention.sdpa(qkv, qOff, ld, qkv, kOff, ld, qkv, vOff, ld, got, oOff, ldo, lq, lk, heads, d, scale, causal);
            Assert.close(name + " facade", ref, got, 2e-5, 2e-5);
            for (boolean rowPath : new boolean[] {true, false})
                for (int[] tiles : new int[][] {{4, L}, {8, 2 * L}, {AttentionVector.BQ, AttentionVector.BK}}) {
                    java.util.Arrays.fill(got, 42f);
                    AttentionVector.sdpa(qkv, qOff, ld, qkv, kOff, ld, qkv, vOff, ld, got, oOff, ldo, lq, lk, heads, d, scale, causal,
                            rowPath, tiles[0], tiles[1]);
                    Assert.close(name + (rowPath ? " rows" : " tiles " + tiles[0] + "x" + tiles[1]), ref, got, 2e-5, 2e-5);
                }
        }
    }

    /** The lanes-over-queries kernel on odd shapes (partial query blocks, key and channel remainders), several key tiles. */
    @Test
    void transposedKernelMatchesScalar() {
        Random r = new Random(23);
        int[][] cases = {{1, 1, 1, 1}, {3, 5, 2, 7}, {49, 77, 3, 40}, {97, 130, 2, 13}, {50, 9, 1, 64}, {17, 300, 2, 80}, {130, 65, 1, 19}};
        for (int[] c : cases) {
            int lq = c[0], lk = c[1], heads = c[2], d = c[3], w = heads * d;
            int ld = 3 * w + 5;
            float[] qkv = ConvTest.random(r, 3 + Math.max(lq, lk) * ld);
            for (int i = 0; i < qkv.length; i++) qkv[i] *= 3;   // scores of tens: the running max moves across tiles
            int qOff = 3, kOff = 3 + w, vOff = 3 + 2 * w, ldo = w + 3, oOff = 2;
            float scale = (float) (1 / Math.sqrt(d));
            float[] ref = new float[oOff + lq * ldo];
            java.util.Arrays.fill(ref, 42f);
            float[] got = ref.clone();
            AttentionScalar.sdpa(qkv, qOff, ld, qkv, kOff, ld, qkv, vOff, ld, ref, oOff, ldo, lq, lk, heads, d, scale, false);
            for (int bk : new int[] {1, 8, 13, AttentionTransposed.BK}) {
                java.util.Arrays.fill(got, 42f);
                AttentionTransposed.sdpa(qkv, qOff, ld, qkv, kOff, ld, qkv, vOff, ld, got, oOff, ldo, lq, lk, heads, d, scale, bk);
                Assert.close(java.util.Arrays.toString(c) + " bk " + bk, ref, got, 1e-4, 1e-4);
            }
        }
    }

    @Test
    void contiguousFormAndLargeScores() {
        Random r = new Random(2);
        int lq = 50, lk = 50, heads = 2, d = 16;
        float[] q = ConvTest.random(r, lq * heads * d), k = ConvTest.random(r, lk * heads * d), v = ConvTest.random(r, lk * heads * d);
        for (int i = 0; i < q.length; i++) q[i] *= 30;   // sharp softmax: scores of several hundred
        float[] ref = new float[lq * heads * d];
        AttentionScalar.sdpa(q, 0, heads * d, k, 0, heads * d, v, 0, heads * d, ref, 0, heads * d, lq, lk, heads, d, 0.25f, false);
        Assert.close("contiguous", ref, Attention.sdpa(q, k, v, lq, lk, heads, d, false), 1e-4, 1e-4);
    }

    @Test
    void noKeysGivesZeros() {
        float[] o = {1, 2, 3, 4};
        Attention.sdpa(new float[4], 0, 4, new float[0], 0, 4, new float[0], 0, 4, o, 0, 4, 1, 0, 2, 2, 1f, false);
        for (float x : o) assertEquals(0f, x);
    }
}
