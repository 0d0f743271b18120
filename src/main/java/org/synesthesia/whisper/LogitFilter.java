package org.synesthesia.whisper;

/**
 * A rule applied to the next-token logits before sampling (openai {@code LogitFilter}): sets forbidden entries
 * of {@code logits[off, off + n_vocab)} to -infinity.
 */
interface LogitFilter {
    /**
     * @param logits the logits row of one sequence, at {@code off}
     * @param tokens the sequence so far, {@code tokens[0, length)}: the initial tokens then the sampled ones
     */
    void apply(float[] logits, int off, int[] tokens, int length);
}
