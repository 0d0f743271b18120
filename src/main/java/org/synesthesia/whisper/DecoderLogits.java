package org.synesthesia.whisper;

import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;

/** {@link LogitsSource} of a {@link WhisperDecoder} on one audio segment (its {@link CrossAttentionCache}). */
final class DecoderLogits implements LogitsSource {
    private final WhisperDecoder decoder;
    private final CrossAttentionCache audio;
    /** Where the logits come from, for the non-finite error: "window 2 (at 30.000 s)"; null: not named. */
    private final String where;

    DecoderLogits(WhisperDecoder decoder, CrossAttentionCache audio, String where) {
        this.decoder = decoder;
        this.audio = audio;
        this.where = where;
    }

    /** The source for audio features [1, 1500, d] of {@code whisper}'s encoder. */
    public static DecoderLogits of(Whisper whisper, Tensor audioFeatures) {
        return of(whisper, audioFeatures, null);
    }

    /**
     * The source for audio features of the window named {@code where}: the features are checked to be finite first
     * (one scan), and every logits row it returns is checked too, each failing in one line naming the stage.
     */
    public static DecoderLogits of(Whisper whisper, Tensor audioFeatures, String where) {
        Finite.check(audioFeatures, "whisper encoder output" + in(where));
        long t0 = org.synesthesia.util.Timings.start();
        CrossAttentionCache xa = whisper.decoder().crossAttention(audioFeatures);
        org.synesthesia.util.Timings.add("cross-attention k/v", t0);
        return new DecoderLogits(whisper.decoder(), xa, where);
    }

    private static String in(String where) {
        return where == null ? "" : " in " + where;
    }

    @Override
    public int nVocab() {
        return decoder.config().nVocab();
    }

    @Override
    public int maxLength() {
        return decoder.config().nTextCtx();
    }

    @Override
    public Sequence newSequence() {
        return new State(decoder.newState(audio));
    }

    @Override
    public void lastLogits(int[][] tokens, Sequence[] sequences, float[] out) {
        long t0 = org.synesthesia.util.Timings.start();
        if (sequences.length == 1) {
            decoder.lastLogits(tokens[0], ((State) sequences[0]).state, out);
        } else {
            DecoderState[] states = new DecoderState[sequences.length];
            for (int g = 0; g < states.length; g++) states[g] = ((State) sequences[g]).state;
            decoder.lastLogits(tokens, states, out);
        }
        // raw logits, before any filter sets suppressed tokens to -inf
        Finite.check(out, 0, sequences.length * nVocab(), "whisper decoder logits" + in(where), Finite.WEIGHTS_HINT);
        org.synesthesia.util.Timings.add("decoder calls", t0);
    }

    private record State(DecoderState state) implements Sequence {
        @Override
        public int length() {
            return state.length();
        }

        @Override
        public Sequence copy() {
            return new State(state.copy());
        }

        @Override
        public void copyFrom(Sequence other) {
            state.copyFrom(((State) other).state);
        }
    }
}
