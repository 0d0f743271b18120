package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** The KV cache: incremental = full re-run, forks independent, rollback and copyFrom, context limits. */
class DecoderStateTest {
    static final double TOL = 2e-5;
    static Whisper w;
    static CrossAttentionCache audio;
    static int V;

    @BeforeAll
    static void load() {
        w = Whisper.load(SharedData.golden("whisper_tiny_random", "weights.safetensors"));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
        audio = w.decoder().crossAttention(w.encode(g.get("mel")));
        V = w.config().nVocab();
    }

    @AfterAll
    static void close() {
        if (w != null) w.close();
    }

    /** Last-row logits of a fresh full run over {@code tokens}. */
    static float[] fresh(int... tokens) {
        float[] all = w.decoder().logits(tokens, w.decoder().newState(audio));
        return Arrays.copyOfRange(all, (tokens.length - 1) * V, tokens.length * V);
    }

    static int[] cat(int[] a, int... b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static final int[] PREFIX = {50258, 50259, 50359, 50363};

    @Test
    void incrementalEqualsFullRunAcrossCacheGrowth() {
        Random r = new Random(7);
        int[] tokens = new int[100];
        for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(V);
        float[] full = w.decoder().logits(tokens, w.decoder().newState(audio));
        // one at a time, then in uneven pieces
        DecoderState s = w.decoder().newState(audio);
        for (int i = 0; i < tokens.length; i++)
            Assert.close("token " + i, Arrays.copyOfRange(full, i * V, (i + 1) * V), w.decoder().lastLogits(new int[] {tokens[i]}, s), TOL, 0);
        DecoderState p = w.decoder().newState(audio);
        int at = 0;
        for (int piece : new int[] {3, 1, 40, 17, 39}) {
            float[] got = w.decoder().logits(Arrays.copyOfRange(tokens, at, at + piece), p);
            Assert.close("piece at " + at, Arrays.copyOfRange(full, at * V, (at + piece) * V), got, TOL, 0);
            at += piece;
        }
        assertEquals(100, p.length());
    }

    @Test
    void forkRollbackCopyFrom() {
        DecoderState a = w.decoder().newState(audio);
        w.decoder().lastLogits(PREFIX, a);
        DecoderState b = a.copy();
        Assert.close("fork a", fresh(cat(PREFIX, 440)), w.decoder().lastLogits(new int[] {440}, a), TOL, 0);
        Assert.close("fork b", fresh(cat(PREFIX, 1349)), w.decoder().lastLogits(new int[] {1349}, b), TOL, 0);
        Assert.close("a again", fresh(cat(PREFIX, 440, 11)), w.decoder().lastLogits(new int[] {11}, a), TOL, 0);

        a.rollback(4);
        assertEquals(4, a.length());
        Assert.close("after rollback", fresh(cat(PREFIX, 291)), w.decoder().lastLogits(new int[] {291}, a), TOL, 0);

        DecoderState c = w.decoder().newState(audio);
        w.decoder().lastLogits(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34}, c);
        c.copyFrom(b);
        assertEquals(5, c.length());
        Assert.close("copyFrom", fresh(cat(PREFIX, 1349, 5046)), w.decoder().lastLogits(new int[] {5046}, c), TOL, 0);

        c.reset();
        Assert.close("reset", fresh(PREFIX), w.decoder().lastLogits(PREFIX, c), TOL, 0);
        assertThrows(IllegalArgumentException.class, () -> a.rollback(6));
    }

    @Test
    void batchedSequencesEqualSeparateCalls() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
        float[] mel = g.get("mel").toArray();
        for (int i = 0; i < mel.length; i++) mel[i] = 0.5f * mel[i] - 0.2f;
        CrossAttentionCache other = w.decoder().crossAttention(w.encode(Tensor.of(mel, 1, 80, 3000)));
        DecoderState[] batch = {w.decoder().newState(audio), w.decoder().newState(other), w.decoder().newState(audio)};
        DecoderState[] single = {w.decoder().newState(audio), w.decoder().newState(other), w.decoder().newState(audio)};
        int[][][] steps = {
                {PREFIX, PREFIX, {50258, 50259}},
                {{440}, {1349}, {50359, 50363, 11}},
                {{11}, {3331}, {291}},
        };
        float[] out = new float[3 * V];
        for (int[][] step : steps) {
            w.decoder().lastLogits(step, batch, out);
            for (int k = 0; k < 3; k++)
                Assert.close("sequence " + k, w.decoder().lastLogits(step[k], single[k]), Arrays.copyOfRange(out, k * V, (k + 1) * V), TOL, 0);
        }
        for (int k = 0; k < 3; k++) assertEquals(single[k].length(), batch[k].length());
        // the two audio segments give different logits
        float[] onOther = w.decoder().logits(PREFIX, w.decoder().newState(other));
        assertTrue(Assert.maxAbsDiff(fresh(PREFIX), Arrays.copyOfRange(onOther, 3 * V, 4 * V)) > 1e-3);
        assertThrows(IllegalArgumentException.class, () -> w.decoder().lastLogits(new int[][] {{1}, {2}}, new DecoderState[] {batch[0], batch[0]}, out));
    }

    @Test
    void limits() {
        DecoderState s = w.decoder().newState(audio);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> w.decoder().logits(new int[] {1, V}, s));
        assertEquals("whisper decoder: token id 51865 outside the vocabulary of 51865", e.getMessage());
        assertEquals(0, s.length());
        w.decoder().logits(new int[448], s);
        assertEquals(448, s.length());
        e = assertThrows(SynesthesiaException.class, () -> w.decoder().lastLogits(new int[] {1}, s));
        assertEquals("whisper decoder: 449 tokens exceed the text context of 448", e.getMessage());
        assertEquals(448, s.length());
    }
}
