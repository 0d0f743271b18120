package org.synesthesia.whisper;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A {@link LogitsSource} without a model: the logits after a sequence are written by a function of the whole
 * sequence so far ({@code rule.accept(tokens, logits)} on a row pre-filled with -30), so decoding rules can be
 * tested on chosen distributions. Counts the rows it produced.
 */
final class FakeLogits implements LogitsSource {
    final int nVocab;
    final int maxLength;
    final BiConsumer<int[], float[]> rule;
    int rows;

    FakeLogits(int nVocab, int maxLength, BiConsumer<int[], float[]> rule) {
        this.nVocab = nVocab;
        this.maxLength = maxLength;
        this.rule = rule;
    }

    @Override
    public int nVocab() {
        return nVocab;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public Sequence newSequence() {
        return new Seq();
    }

    @Override
    public void lastLogits(int[][] tokens, Sequence[] sequences, float[] out) {
        for (int g = 0; g < sequences.length; g++) {
            Seq s = (Seq) sequences[g];
            if (tokens[g].length == 0) throw new IllegalArgumentException("no tokens");
            int n = s.ids.length;
            s.ids = Arrays.copyOf(s.ids, n + tokens[g].length);
            System.arraycopy(tokens[g], 0, s.ids, n, tokens[g].length);
            if (s.ids.length > maxLength) throw new IllegalStateException(s.ids.length + " tokens > " + maxLength);
            float[] row = new float[nVocab];
            Arrays.fill(row, -30f);
            rule.accept(s.ids.clone(), row);
            System.arraycopy(row, 0, out, g * nVocab, nVocab);
            rows++;
        }
    }

    static final class Seq implements Sequence {
        int[] ids = new int[0];

        @Override
        public int length() {
            return ids.length;
        }

        @Override
        public Sequence copy() {
            Seq c = new Seq();
            c.ids = ids.clone();
            return c;
        }

        @Override
        public void copyFrom(Sequence other) {
            ids = ((Seq) other).ids.clone();
        }
    }
}
