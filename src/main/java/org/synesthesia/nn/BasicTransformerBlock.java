package org.synesthesia.nn;

import org.synesthesia.kernel.Norm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code BasicTransformerBlock} (norm_type "layer_norm", GEGLU feed-forward of width 4*dim), on token rows
 * [N, L, dim]:
 * <pre>
 * x = x + attn1(norm1(x))                 self-attention
 * x = x + attn2(norm2(x), context)        cross-attention on encoder_hidden_states; with context null it attends to
 *                                         norm2(x) itself (LDM's context=None, AudioLDM); absent when contextDim is 0
 * x = x + ff(norm3(x))
 * </pre>
 * LayerNorms have eps 1e-5. The captures {@code attn1}, {@code attn2}, {@code ff} are the module outputs before the
 * residual adds (what a forward hook sees).
 */
public final class BasicTransformerBlock {
    private static final float LN_EPS = 1e-5f;
    private final String name;
    private final int dim;
    private final float[] n1W, n1B, n2W, n2B, n3W, n3B;
    private final Attention attn1, attn2; // attn2 null: self-attention only
    private final FeedForward ff;

    /**
     * Reads norm1, norm2, norm3 (weight, bias each), attn1, attn2, ff.
     *
     * @param contextDim width of the context rows for attn2, 0 for a block without cross-attention
     */
    public BasicTransformerBlock(Weights w, String name, int dim, int contextDim, int heads, int headDim) {
        this.name = name;
        this.dim = dim;
        boolean cross = contextDim > 0;
        n1W = w.vector(name + ".norm1.weight", dim);
        n1B = w.vector(name + ".norm1.bias", dim);
        n2W = cross ? w.vector(name + ".norm2.weight", dim) : null;
        n2B = cross ? w.vector(name + ".norm2.bias", dim) : null;
        n3W = w.vector(name + ".norm3.weight", dim);
        n3B = w.vector(name + ".norm3.bias", dim);
        attn1 = Attention.load(w, name + ".attn1", Attention.Config.tokens(dim, dim, heads, headDim));
        attn2 = cross ? Attention.load(w, name + ".attn2", Attention.Config.tokens(dim, contextDim, heads, headDim)) : null;
        ff = FeedForward.load(w, name + ".ff", dim, 4 * dim);
    }

    /**
     * Updates token rows {@code x} [N, L, dim] in place; {@code ctx} [N, Lc, contextDim], or null to run attn2 as
     * self-attention (unused without attn2).
     */
    public void forward(float[] x, int N, int L, float[] ctx, int Lc, Tracer tracer) {
        int rows = N * L;
        float[] h = new float[x.length];
        Norm.layerNorm(x, 0, h, 0, rows, dim, n1W, n1B, LN_EPS);
        residual(x, attn1.forward(h, N, L, null, 0), N, L, name + ".attn1", tracer);
        if (attn2 != null) {
            Norm.layerNorm(x, 0, h, 0, rows, dim, n2W, n2B, LN_EPS);
            residual(x, attn2.forward(h, N, L, ctx, Lc), N, L, name + ".attn2", tracer);
        }
        Norm.layerNorm(x, 0, h, 0, rows, dim, n3W, n3B, LN_EPS);
        residual(x, ff.forwardInPlace(h, rows), N, L, name + ".ff", tracer);
    }

    private void residual(float[] x, float[] y, int N, int L, String module, Tracer tracer) {
        if (tracer.wants(module)) tracer.capture(module, Tensor.of(y, N, L, dim));
        Ops.addInPlace(x, 0, y, 0, x.length);
    }
}
