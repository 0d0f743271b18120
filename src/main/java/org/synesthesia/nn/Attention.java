package org.synesthesia.nn;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Attention} (AttnProcessor, fp32): query rows x [N, L, queryDim], key/value rows c [N, Lc, contextDim]
 * (c = x for self-attention), heads of width d, inner = heads*d:
 * <pre>
 * q = to_q(x), k = to_k(c), v = to_v(c)                Linear, with or without bias
 * o = softmax(q k^T / sqrt(d)) v                       per head
 * y = to_out.0(o)                                      Linear with bias (to_out.1 is dropout)
 * </pre>
 * On feature maps x [N, C, H, W] ({@link #forward(Tensor, Tracer)}, the VAE's mid-block attention) the tokens are
 * the H*W positions of {@code group_norm(x)} (when the module has one), and the output is y back in [N, C, H, W],
 * plus x with {@code residual_connection}. Projection weights may be stored as Linear [out, in] or 1x1 convolutions
 * [out, in, 1, 1] (LDM's VAE q/k/v/proj_out); both are the same matrix.
 */
public final class Attention {
    /**
     * @param contextDim width of the key/value rows (= queryDim for self-attention)
     * @param qkvBias    whether to_q, to_k, to_v have biases
     * @param normGroups groups of the {@code group_norm} over feature-map inputs, 0 for none
     * @param residual   diffusers' {@code residual_connection} (feature-map inputs)
     */
    public record Config(int queryDim, int contextDim, int heads, int headDim, boolean qkvBias, int normGroups, float normEps,
                         boolean residual) {
        /** SD's transformer attention: no q/k/v biases, no norm, no residual. */
        public static Config tokens(int queryDim, int contextDim, int heads, int headDim) {
            return new Config(queryDim, contextDim, heads, headDim, false, 0, 0, false);
        }

        /** The VAE mid block's: self-attention over C channels as one head, biases, GroupNorm, residual. */
        public static Config spatial(int channels, int groups, float eps) {
            return new Config(channels, channels, 1, channels, true, groups, eps, true);
        }

        public int inner() { return heads * headDim; }
    }

    private final String name;
    private final Config config;
    private final WeightMatrix toQ, toK, toV, toOut;
    private final float[] bq, bk, bv, bo; // bq, bk, bv null without qkv biases
    private final GroupNorm groupNorm;     // null: none

    private Attention(String name, Config config, WeightMatrix[] w, float[][] b, GroupNorm groupNorm) {
        this.name = name;
        this.config = config;
        toQ = w[0];
        toK = w[1];
        toV = w[2];
        toOut = w[3];
        bq = b[0];
        bk = b[1];
        bv = b[2];
        bo = b[3];
        this.groupNorm = groupNorm;
    }

    /** Reads to_q, to_k, to_v, to_out.0 (each weight, then its bias if any), then group_norm. */
    public static Attention load(Weights w, String name, Config c) {
        String[] parts = {"to_q", "to_k", "to_v", "to_out.0"};
        int[] out = {c.inner(), c.inner(), c.inner(), c.queryDim()};
        int[] in = {c.queryDim(), c.contextDim(), c.contextDim(), c.inner()};
        WeightMatrix[] m = new WeightMatrix[4];
        float[][] b = new float[4][];
        for (int i = 0; i < 4; i++) {
            m[i] = w.linear(name + "." + parts[i] + ".weight", out[i], in[i]);
            if (i == 3 || c.qkvBias()) b[i] = w.vector(name + "." + parts[i] + ".bias", out[i]);
        }
        GroupNorm gn = c.normGroups() > 0 ? GroupNorm.load(w, name + ".group_norm", c.queryDim(), c.normGroups(), c.normEps()) : null;
        return new Attention(name, c, m, b, gn);
    }

    public String name() { return name; }

    public Config config() { return config; }

    /**
     * @param x   query rows [N, L, queryDim]
     * @param ctx key/value rows [N, Lc, contextDim], or null for self-attention (ctx = x, Lc = L)
     * @return a new array [N, L, queryDim]
     */
    public float[] forward(float[] x, int N, int L, float[] ctx, int Lc) {
        int inner = config.inner();
        if (ctx == null) {
            ctx = x;
            Lc = L;
        } else if (ctx.length != N * Lc * config.contextDim()) {
            throw new IllegalArgumentException("attention: context has " + ctx.length + " values, expected " + N + "x" + Lc + "x" + config.contextDim());
        }
        float[] q = Gemm.linear(x, N * L, toQ, bq);
        float[] k = Gemm.linear(ctx, N * Lc, toK, bk);
        float[] v = Gemm.linear(ctx, N * Lc, toV, bv);
        float[] o = new float[N * L * inner];
        int d = config.headDim();
        float scale = (float) (1 / Math.sqrt(d));
        // one sample at a time: the kernel splits its own work over heads and query rows
        for (int n = 0; n < N; n++)
            org.synesthesia.kernel.Attention.sdpa(q, n * L * inner, inner, k, n * Lc * inner, inner, v, n * Lc * inner, inner,
                    o, n * L * inner, inner, L, Lc, config.heads(), d, scale, false);
        q = k = v = null;
        return Gemm.linear(o, N * L, toOut, bo);
    }

    /** Self-attention over the positions of x [N, C, H, W], one sample at a time; a new tensor [N, C, H, W], captured under the name. */
    public Tensor forward(Tensor x, Tracer tracer) {
        int N = x.dim(0), C = config.queryDim(), S = x.dim(2) * x.dim(3);
        if (x.rank() != 4 || x.dim(1) != C) throw new IllegalArgumentException(name + ": input has " + x.dim(1) + " channels, expected " + C);
        float[] normed = (groupNorm != null ? groupNorm.forward(x) : x.contiguous()).data();
        float[] out = config.residual() ? x.toArray() : new float[x.size()];
        float[] tokens = new float[S * C];
        for (int n = 0; n < N; n++) {
            Tokens.toRows(normed, n * C * S, tokens, 0, C, S);
            Tokens.addRows(forward(tokens, 1, S, null, 0), out, n * C * S, C, S);
        }
        Tensor y = Tensor.of(out, x.shape());
        tracer.capture(name, y);
        return y;
    }
}
