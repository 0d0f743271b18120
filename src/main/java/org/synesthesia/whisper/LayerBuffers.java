package org.synesthesia.whisper;

/**
 * One decoder forward pass's activations, reused by every residual block: {@code rows x d}
 * for x (the residual stream), h (the layer-normed input), q, k, v, att (attention output before the out
 * projection) and o (a block's output before the residual add), and {@code rows x 4d} for m (the MLP's hidden layer).
 */
final class LayerBuffers {
    final int rows, d;
    final float[] x, h, q, k, v, att, o, m;

    LayerBuffers(int rows, int d) {
        this.rows = rows;
        this.d = d;
        int n = rows * d;
        x = new float[n];
        h = new float[n];
        q = new float[n];
        k = new float[n];
        v = new float[n];
        att = new float[n];
        o = new float[n];
        m = new float[4 * n];
    }
}
