package org.synesthesia.whisper;

/**
 * What decoding needs from a text decoder: the logits of the next token for several sequences at once. The
 * model implementation is {@link DecoderLogits} (a {@link WhisperDecoder} over one segment's audio); tests use
 * small fakes so that the decoding rules can be checked without a model.
 */
interface LogitsSource {
    /** Size of the vocabulary: the length of each logits row. */
    int nVocab();

    /** The most tokens one sequence may hold ({@code n_text_ctx}). */
    int maxLength();

    /** A new empty sequence. */
    Sequence newSequence();

    /**
     * Appends {@code tokens[g]} (at least one token each) to {@code sequences[g]} and writes the logits of each
     * sequence's last token to {@code out[g * nVocab, (g + 1) * nVocab)}. The sequences are distinct objects.
     */
    void lastLogits(int[][] tokens, Sequence[] sequences, float[] out);

    /** The tokens a source has consumed (its cache): forked for beams, rolled back for reuse. */
    interface Sequence {
        /** Tokens consumed so far. */
        int length();

        /** An independent copy. */
        Sequence copy();

        /** Becomes equal to {@code other} (a sequence of the same source). */
        void copyFrom(Sequence other);
    }
}
