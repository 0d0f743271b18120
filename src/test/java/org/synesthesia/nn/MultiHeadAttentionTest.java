package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/** Multi-head attention against plain double loops on odd shapes: batched self-attention, a context, a growing KV cache. */
class MultiHeadAttentionTest {
    static final double TOL = 2e-5;

    @Test
    void selfAttentionOfSeveralSequencesCausalOrNot() {
        Random r = new Random(11);
        int batch = 3, T = 37, d = 30, heads = 5, rows = batch * T; // 37 rows: chunks of 16 cut mid-sequence
        MultiHeadAttention a = Reference.attention(r, d, heads);
        float[] x = Reference.random(r, rows * d, 1);
        for (boolean causal : new boolean[] {false, true}) {
            float[] q = new float[rows * d], k = new float[rows * d], v = new float[rows * d], att = new float[rows * d], y = new float[rows * d];
            Tracer t = Tracer.of("blk", "blk.*");
            a.forward(x, batch, T, causal, q, k, v, att, y, t, new MultiHeadAttention.Names("blk", "blk.q", "blk.k", "blk.v", "blk.core", "blk.o"));
            Assert.close("causal " + causal, Reference.selfAttention(x, batch, T, a, causal), y, TOL, TOL);
            assertEquals(List.of("blk.q", "blk.k", "blk.v", "blk.core", "blk.o", "blk"), List.copyOf(t.captured().keySet()));
            Assert.close("captured q", Reference.linear(x, rows, a.query()), t.captured().get("blk.q").toArray(), TOL, TOL);
            assertEquals(List.of(batch, T, d), Arrays.stream(t.captured().get("blk").shape()).boxed().toList());
        }
    }

    @Test
    void attentionOverAContext() {
        Random r = new Random(12);
        int lq = 9, lk = 23, d = 24, heads = 3;
        MultiHeadAttention a = Reference.attention(r, d, heads);
        float[] x = Reference.random(r, lq * d, 1), c = Reference.random(r, lk * d, 1);
        float[] q = new float[lq * d], k = new float[lk * d], v = new float[lk * d], att = new float[lq * d], y = new float[lq * d];
        a.forward(x, lq, c, lk, q, k, v, att, y, Tracer.NONE, new MultiHeadAttention.Names(null, null, null, null, null, null));
        float[] expected = Reference.linear(Reference.attend(Reference.linear(x, lq, a.query()), 0, Reference.linear(c, lk, a.key()),
                Reference.linear(c, lk, a.value()), lq, lk, d, heads, false), lq, a.out());
        Assert.close("cross-attention", expected, y, TOL, TOL);
    }

    /** Keys and values appended to a cache of larger capacity, queries fed in pieces: the same as all at once. */
    @Test
    void kvCacheInPiecesEqualsOnePass() {
        Random r = new Random(13);
        int T = 41, d = 18, heads = 3, capacity = 64;
        MultiHeadAttention a = Reference.attention(r, d, heads);
        float[] x = Reference.random(r, T * d, 1);
        float[] full = Reference.selfAttention(x, 1, T, a, true);
        float[] kc = new float[capacity * d], vc = new float[capacity * d], y = new float[T * d];
        int done = 0;
        for (int piece : new int[] {17, 1, 20, 3}) {
            float[] xs = Arrays.copyOfRange(x, done * d, (done + piece) * d);
            float[] q = new float[piece * d], att = new float[piece * d], o = new float[piece * d];
            a.query().forward(xs, piece, q);
            a.key().forward(xs, piece, kc, done);
            a.value().forward(xs, piece, vc, done);
            a.attend(q, 0, kc, vc, att, piece, done + piece, true);
            a.out().forward(att, piece, o);
            System.arraycopy(o, 0, y, done * d, piece * d);
            done += piece;
        }
        assertEquals(T, done);
        Assert.close("cached", full, y, TOL, TOL);
    }

    @Test
    void headsMustDivideTheWidth() {
        Random r = new Random(14);
        Linear l = Reference.linear(r, 10, 10, true);
        assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(l, l, l, l, 3));
    }
}
