package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;

/**
 * diffusers {@code Attention} as SD's transformer blocks use it (attn1: self, attn2: cross on the text states):
 * {@code q = x Wq^T, k = c Wk^T, v = c Wv^T} (no biases), heads of width d = inner/heads,
 * {@code o = softmax(q k^T / sqrt(d)) v}, then {@code to_out.0} (Linear with bias). {@code upcast_attention} only
 * changes fp16 runs; here everything is fp32.
 */
public final class CrossAttention {
    private final int queryDim, contextDim, inner, heads;
    private final WeightMatrix toQ, toK, toV, toOut;
    private final float[] toOutB;

    public CrossAttention(UNetWeights w, String name, int queryDim, int contextDim, int heads, int headDim) {
        this.queryDim = queryDim;
        this.contextDim = contextDim;
        this.heads = heads;
        this.inner = heads * headDim;
        toQ = w.linear(name + ".to_q.weight", inner, queryDim);
        toK = w.linear(name + ".to_k.weight", inner, contextDim);
        toV = w.linear(name + ".to_v.weight", inner, contextDim);
        toOut = w.linear(name + ".to_out.0.weight", queryDim, inner);
        toOutB = w.vector(name + ".to_out.0.bias", queryDim);
    }

    /**
     * @param x   query rows [N, L, queryDim]
     * @param ctx key/value rows [N, Lc, contextDim], or null for self-attention (ctx = x, Lc = L)
     * @return [N, L, queryDim]
     */
    public float[] forward(float[] x, int N, int L, float[] ctx, int Lc) {
        if (ctx == null) {
            ctx = x;
            Lc = L;
        } else if (ctx.length != N * Lc * contextDim) {
            throw new IllegalArgumentException("attention: context has " + ctx.length + " values, expected " + N + "x" + Lc + "x" + contextDim);
        }
        float[] q = Gemm.linear(x, N * L, toQ, null);
        float[] k = Gemm.linear(ctx, N * Lc, toK, null);
        float[] v = Gemm.linear(ctx, N * Lc, toV, null);
        float[] o = new float[N * L * inner];
        int d = inner / heads;
        float scale = (float) (1 / Math.sqrt(d));
        int lc = Lc;
        // one sample at a time: the kernel splits its own work over heads and query rows
        for (int n = 0; n < N; n++)
            Attention.sdpa(q, n * L * inner, inner, k, n * lc * inner, inner, v, n * lc * inner, inner,
                    o, n * L * inner, inner, L, lc, heads, d, scale, false);
        return Gemm.linear(o, N * L, toOut, toOutB);
    }

    int heads() { return heads; }

}
