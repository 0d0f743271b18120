package org.synesthesia.whisper;

/** Forbids a fixed set of ids at every position (openai {@code SuppressTokens}). */
final class SuppressTokens implements LogitFilter {
    private final int[] ids;

    SuppressTokens(int[] ids) {
        this.ids = ids.clone();
    }

    @Override
    public void apply(float[] logits, int off, int[] tokens, int length) {
        for (int id : ids) logits[off + id] = Float.NEGATIVE_INFINITY;
    }
}
