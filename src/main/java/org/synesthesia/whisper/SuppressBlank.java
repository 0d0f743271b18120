package org.synesthesia.whisper;

/** At the first sampled position, forbids the blank {@code " "} token(s) and the end of text (openai {@code SuppressBlank}). */
final class SuppressBlank implements LogitFilter {
    private final int[] ids;
    private final int sampleBegin;

    SuppressBlank(WhisperTokenizer tokenizer, int sampleBegin) {
        int[] space = tokenizer.encode(" ");
        this.ids = java.util.Arrays.copyOf(space, space.length + 1);
        ids[space.length] = tokenizer.eot();
        this.sampleBegin = sampleBegin;
    }

    @Override
    public void apply(float[] logits, int off, int[] tokens, int length) {
        if (length != sampleBegin) return;
        for (int id : ids) logits[off + id] = Float.NEGATIVE_INFINITY;
    }
}
