package org.synesthesia.whisper;

/**
 * The decoder's cross-attention keys and values for one audio segment, computed once from the encoder output
 * {@code xa} [ctx, d]: per layer {@code k = xa W_key^T} (no bias) and {@code v = xa W_value^T + b_value}, each
 * [ctx, d] row-major. Immutable after construction; shared by every {@link DecoderState} (and fork) of the
 * segment.
 */
public final class CrossAttentionCache {
    private final int ctx;
    private final int d;
    private final float[][] keys;
    private final float[][] values;

    CrossAttentionCache(int ctx, int d, float[][] keys, float[][] values) {
        this.ctx = ctx;
        this.d = d;
        this.keys = keys;
        this.values = values;
    }

    /** Audio positions (keys per layer). */
    int length() {
        return ctx;
    }

    int width() {
        return d;
    }

    int layers() {
        return keys.length;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }
}
