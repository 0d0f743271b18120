package org.synesthesia.whisper;

/** {@link LogitsSource} of a {@link WhisperDecoder} on one audio segment (its {@link CrossAttentionCache}). */
final class DecoderLogits implements LogitsSource {
    private final WhisperDecoder decoder;
    private final CrossAttentionCache audio;

    DecoderLogits(WhisperDecoder decoder, CrossAttentionCache audio) {
        this.decoder = decoder;
        this.audio = audio;
    }

    /** The source for audio features [1, 1500, d] of {@code whisper}'s encoder. */
    public static DecoderLogits of(Whisper whisper, org.synesthesia.tensor.Tensor audioFeatures) {
        return new DecoderLogits(whisper.decoder(), whisper.decoder().crossAttention(audioFeatures));
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
        if (sequences.length == 1) {
            decoder.lastLogits(tokens[0], ((State) sequences[0]).state, out);
            return;
        }
        DecoderState[] states = new DecoderState[sequences.length];
        for (int g = 0; g < states.length; g++) states[g] = ((State) sequences[g]).state;
        decoder.lastLogits(tokens, states, out);
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
