package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Norm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code BasicTransformerBlock} (norm_type "layer_norm", GEGLU feed-forward), on token rows [N, L, D]:
 * <pre>
 * x = x + attn1(norm1(x))                 self-attention
 * x = x + attn2(norm2(x), text)           cross-attention on encoder_hidden_states
 * x = x + ff(norm3(x))                    ff = net.2(GEGLU(net.0.proj)): h, g = split(proj(x)); h * gelu(g)
 * </pre>
 * LayerNorms have eps 1e-5. The captures {@code attn1}, {@code attn2}, {@code ff} are the module outputs before
 * the residual adds (what a forward hook sees).
 */
public final class BasicTransformerBlock {
    private static final float LN_EPS = 1e-5f;
    private final String name;
    private final int dim, ffInner;
    private final float[] n1W, n1B, n2W, n2B, n3W, n3B, projB, outB;
    private final CrossAttention attn1, attn2;
    private final WeightMatrix proj, out;

    public BasicTransformerBlock(UNetWeights w, String name, int dim, int contextDim, int heads, int headDim) {
        this.name = name;
        this.dim = dim;
        n1W = w.vector(name + ".norm1.weight", dim);
        n1B = w.vector(name + ".norm1.bias", dim);
        n2W = w.vector(name + ".norm2.weight", dim);
        n2B = w.vector(name + ".norm2.bias", dim);
        n3W = w.vector(name + ".norm3.weight", dim);
        n3B = w.vector(name + ".norm3.bias", dim);
        attn1 = new CrossAttention(w, name + ".attn1", dim, dim, heads, headDim);
        attn2 = new CrossAttention(w, name + ".attn2", dim, contextDim, heads, headDim);
        ffInner = 4 * dim;
        proj = w.linear(name + ".ff.net.0.proj.weight", 2 * ffInner, dim);
        projB = w.vector(name + ".ff.net.0.proj.bias", 2 * ffInner);
        out = w.linear(name + ".ff.net.2.weight", dim, ffInner);
        outB = w.vector(name + ".ff.net.2.bias", dim);
    }

    /** Updates token rows {@code x} [N, L, dim] in place; {@code ctx} [N, Lc, contextDim]. */
    public void forward(float[] x, int N, int L, float[] ctx, int Lc, Tracer tracer) {
        int rows = N * L;
        float[] h = new float[x.length];
        Norm.layerNorm(x, 0, h, 0, rows, dim, n1W, n1B, LN_EPS);
        residual(x, attn1.forward(h, N, L, null, 0), N, L, name + ".attn1", tracer);
        Norm.layerNorm(x, 0, h, 0, rows, dim, n2W, n2B, LN_EPS);
        residual(x, attn2.forward(h, N, L, ctx, Lc), N, L, name + ".attn2", tracer);
        Norm.layerNorm(x, 0, h, 0, rows, dim, n3W, n3B, LN_EPS);
        residual(x, feedForward(h, rows), N, L, name + ".ff", tracer);
    }

    /** Rows per feed-forward chunk: bounds the GEGLU buffers ([chunk, 3*4*dim]) at 4096 tokens. */
    private static final int FF_CHUNK = 1024;

    /**
     * GEGLU feed-forward on rows [rows, dim], {@code FF_CHUNK} rows at a time; the result overwrites {@code h}
     * (each chunk's input rows are consumed before its output rows are written).
     */
    private float[] feedForward(float[] h, int rows) {
        int inner = ffInner, chunk = Math.min(rows, FF_CHUNK);
        float[] p = new float[chunk * 2 * inner]; // hidden | gate per row
        float[] g = new float[chunk * inner];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int m = Math.min(chunk, rows - r0);
            Gemm.linear(h, r0 * dim, dim, m, proj, projB, p, 0, 2 * inner);
            Parallel.forRange(m, Math.max(1, 4096 / inner), (from, to) -> {
                for (int r = from; r < to; r++) {
                    System.arraycopy(p, r * 2 * inner + inner, g, r * inner, inner);
                    Act.gelu(g, r * inner, inner);
                    for (int i = 0; i < inner; i++) g[r * inner + i] *= p[r * 2 * inner + i];
                }
            });
            Gemm.linear(g, 0, inner, m, out, outB, h, r0 * dim, dim);
        }
        return h;
    }

    private void residual(float[] x, float[] y, int N, int L, String module, Tracer tracer) {
        if (tracer.wants(module)) tracer.capture(module, Tensor.of(y, N, L, dim));
        Ops.addInPlace(x, 0, y, 0, x.length);
    }
}
