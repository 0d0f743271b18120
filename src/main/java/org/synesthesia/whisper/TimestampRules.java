package org.synesthesia.whisper;

/**
 * openai's {@code ApplyTimestampRules}, over the sampled part {@code tokens[sampleBegin, length)}:
 * <ul>
 * <li>{@code <|notimestamps|>} is never sampled;</li>
 * <li>timestamps come in pairs (start, end) except right before the end of text: after a lone timestamp
 *     (the one before is text or nothing) only a timestamp or the end of text may follow; after two timestamps, only text;</li>
 * <li>timestamps do not decrease, and a segment has a nonzero length: after a closing timestamp {@code t} the
 *     next may be {@code t}, otherwise it must be above the last one;</li>
 * <li>the first sampled token is a timestamp, at most {@code maxInitialTimestampIndex} steps (0.02 s) from 0;</li>
 * <li>when the total probability of the timestamps exceeds that of the most likely text token, a timestamp is sampled.</li>
 * </ul>
 */
final class TimestampRules implements LogitFilter {
    private final int eot, noTimestamps, timestampBegin, nVocab;
    private final int sampleBegin;
    private final int maxInitialTimestampIndex;

    /** @param maxInitialTimestampIndex in timestamp steps; negative: no limit */
    TimestampRules(WhisperTokenizer tokenizer, int sampleBegin, int maxInitialTimestampIndex) {
        this.eot = tokenizer.eot();
        this.noTimestamps = tokenizer.noTimestamps();
        this.timestampBegin = tokenizer.timestampBegin();
        this.nVocab = tokenizer.nVocab();
        this.sampleBegin = sampleBegin;
        this.maxInitialTimestampIndex = maxInitialTimestampIndex;
    }

    @Override
    public void apply(float[] logits, int off, int[] tokens, int length) {
        final float NEG = Float.NEGATIVE_INFINITY;
        logits[off + noTimestamps] = NEG;

        int sampled = length - sampleBegin;
        boolean lastWasTimestamp = sampled >= 1 && tokens[length - 1] >= timestampBegin;
        boolean penultimateWasTimestamp = sampled < 2 || tokens[length - 2] >= timestampBegin;
        if (lastWasTimestamp) {
            if (penultimateWasTimestamp) fill(logits, off + timestampBegin, off + nVocab); // has to be text
            else fill(logits, off, off + eot);                                          // a timestamp or the end
        }

        int lastTimestamp = -1;
        for (int i = length - 1; i >= sampleBegin; i--)
            if (tokens[i] >= timestampBegin) {
                lastTimestamp = tokens[i];
                break;
            }
        if (lastTimestamp >= 0) {
            // no decreasing timestamps; after a segment's end timestamp the next start may equal it, else > last
            int limit = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
            fill(logits, off + timestampBegin, off + Math.min(limit, nVocab));
        }

        if (length == sampleBegin) {
            fill(logits, off, off + timestampBegin); // the first sampled token is a timestamp
            if (maxInitialTimestampIndex >= 0) fill(logits, off + Math.min(nVocab, timestampBegin + maxInitialTimestampIndex + 1), off + nVocab);
        }

        // log-probability mass of all timestamps vs the most likely text token (same normaliser on both sides)
        double tsMax = max(logits, off + timestampBegin, off + nVocab);
        double tsLse = tsMax == Double.NEGATIVE_INFINITY ? tsMax : tsMax + Math.log(sumExp(logits, off + timestampBegin, off + nVocab, tsMax));
        double textMax = max(logits, off, off + timestampBegin);
        if (tsLse > textMax) fill(logits, off, off + timestampBegin);
    }

    private static void fill(float[] a, int from, int to) {
        if (from < to) java.util.Arrays.fill(a, from, to, Float.NEGATIVE_INFINITY);
    }

    static double max(float[] a, int from, int to) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) if (a[i] > m) m = a[i];
        return m;
    }

    static double sumExp(float[] a, int from, int to, double shift) {
        double s = 0;
        for (int i = from; i < to; i++) s += Math.exp(a[i] - shift);
        return s;
    }
}
