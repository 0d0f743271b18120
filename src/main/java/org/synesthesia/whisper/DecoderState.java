package org.synesthesia.whisper;

import java.util.Objects;

/**
 * One decoding sequence: its self-attention KV cache (per layer, key and value rows [length, d], one row per
 * token seen, appended by {@link WhisperDecoder#logits}) and the {@link CrossAttentionCache} of its audio
 * segment. The positional offset of the next token is {@link #length()}.
 *
 * <p>Cache storage grows by doubling up to {@code n_text_ctx} rows, so short sequences do not hold the full
 * context. {@link #copy()} forks a sequence (beam search), {@link #copyFrom} overwrites one with another reusing
 * its storage, {@link #rollback} forgets the last tokens. A state is used by one thread at a time; it also keeps
 * the decoder's scratch buffers, so forward passes do not allocate per step.
 */
public final class DecoderState {
    private static final int MIN_ROWS = 32;

    private final int maxRows;
    private final int d;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;
    private int length;
    private CrossAttentionCache audio;
    private LayerBuffers scratch;

    DecoderState(WhisperConfig config, CrossAttentionCache audio) {
        this(config.nTextCtx(), config.nTextState(), config.nTextLayer(), audio, Math.min(MIN_ROWS, config.nTextCtx()));
    }

    private DecoderState(int maxRows, int d, int layers, CrossAttentionCache audio, int capacity) {
        this.maxRows = maxRows;
        this.d = d;
        this.keys = new float[layers][];
        this.values = new float[layers][];
        this.capacity = capacity;
        for (int l = 0; l < layers; l++) {
            keys[l] = new float[capacity * d];
            values[l] = new float[capacity * d];
        }
        setAudio(audio);
    }

    /** Tokens in the cache: the position of the next token. */
    int length() {
        return length;
    }

    /** The most tokens a sequence can hold ({@code n_text_ctx}). */
    int maxLength() {
        return maxRows;
    }

    CrossAttentionCache audio() {
        return audio;
    }

    /** Forgets every token after the first {@code newLength} (their cache rows are overwritten later). */
    void rollback(int newLength) {
        if (newLength < 0 || newLength > length)
            throw new IllegalArgumentException("rollback to " + newLength + " tokens, but the state holds " + length);
        length = newLength;
    }

    /** Forgets every token (same audio segment). */
    void reset() {
        length = 0;
    }

    /** Starts over on another audio segment. */
    void reset(CrossAttentionCache newAudio) {
        setAudio(newAudio);
        length = 0;
    }

    private void setAudio(CrossAttentionCache a) {
        Objects.requireNonNull(a, "audio");
        if (a.width() != d || a.layers() != keys.length)
            throw new IllegalArgumentException("cross-attention cache of " + a.layers() + " layers x " + a.width() + " does not fit a decoder of " + keys.length + " x " + d);
        audio = a;
    }

    /** An independent copy (same audio, same tokens); later calls on either do not affect the other. */
    DecoderState copy() {
        DecoderState c = new DecoderState(maxRows, d, keys.length, audio, Math.max(capacity, Math.min(maxRows, MIN_ROWS)));
        c.copyFrom(this);
        return c;
    }

    /** Makes this state equal to {@code other} (same decoder), reusing this state's storage where it is big enough. */
    void copyFrom(DecoderState other) {
        if (other == this) return;
        if (other.d != d || other.keys.length != keys.length || other.maxRows != maxRows)
            throw new IllegalArgumentException("states of different decoders");
        ensureCapacity(other.length);
        int n = other.length * d;
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(other.keys[l], 0, keys[l], 0, n);
            System.arraycopy(other.values[l], 0, values[l], 0, n);
        }
        length = other.length;
        audio = other.audio;
    }

    // ---- used by WhisperDecoder ----

    /** Grows the cache to hold {@code rows} tokens, keeping the first {@link #length} rows. */
    void ensureCapacity(int rows) {
        if (rows <= capacity) return;
        if (rows > maxRows) throw new IllegalArgumentException(rows + " tokens exceed the text context of " + maxRows);
        int c = capacity;
        while (c < rows) c = Math.min(maxRows, Math.max(c * 2, MIN_ROWS));
        for (int l = 0; l < keys.length; l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], c * d);
            values[l] = java.util.Arrays.copyOf(values[l], c * d);
        }
        capacity = c;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    void advance(int tokens) {
        length += tokens;
    }

    /** Buffers for a forward pass of {@code rows} new tokens (grown, never shrunk). */
    LayerBuffers scratch(int rows) {
        if (scratch == null || scratch.rows < rows) scratch = new LayerBuffers(Math.max(rows, scratch == null ? 1 : scratch.rows), d);
        return scratch;
    }

}
