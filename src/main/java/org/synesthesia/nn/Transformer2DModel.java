package org.synesthesia.nn;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Transformer2DModel} (LDM's SpatialTransformer) on x [N, C, H, W] with context rows [N, Lc, Dc]:
 * <pre>
 * h = GroupNorm(groups, C, eps 1e-6)(x)
 * h = proj_in(h)   1x1 conv (SD1), or Linear on the tokens (SD2's use_linear_projection); inner = heads*headDim
 * t = tokens of h, [N, H*W, inner];  t = BasicTransformerBlock_k(t, context) for each block
 * h = proj_out(t)  (1x1 conv or Linear), back to [N, C, H, W]
 * out = h + x
 * </pre>
 * A 1x1 conv is the same product as a Linear on token rows, so both run one GEMM over the [C, C(,1,1)] weight. The
 * {@code proj_in} capture has diffusers' layout: [N, inner, H, W] for the conv, [N, H*W, inner] for the Linear.
 */
public final class Transformer2DModel {
    /**
     * @param contextDim        width of the context rows, 0 for self-attention-only blocks
     * @param layers            BasicTransformerBlocks
     * @param linearProjection  diffusers' {@code use_linear_projection} (only changes the proj_in capture's layout here)
     */
    public record Config(int channels, int heads, int contextDim, int layers, int groups, boolean linearProjection) {
        public int headDim() { return channels / heads; }

        public int inner() { return heads * headDim(); }
    }

    private static final float GN_EPS = 1e-6f;
    private final String name;
    private final Config config;
    private final GroupNorm norm;
    private final WeightMatrix projIn, projOut;
    private final float[] projInB, projOutB;
    private final BasicTransformerBlock[] blocks;

    /** Reads norm, proj_in, proj_out (weight, bias each), then transformer_blocks.0 .. layers-1. */
    public Transformer2DModel(Weights w, String name, Config c) {
        this.name = name;
        this.config = c;
        int channels = c.channels(), inner = c.inner();
        norm = GroupNorm.load(w, name + ".norm", channels, c.groups(), GN_EPS);
        projIn = w.linear(name + ".proj_in.weight", inner, channels);
        projInB = w.vector(name + ".proj_in.bias", inner);
        projOut = w.linear(name + ".proj_out.weight", channels, inner);
        projOutB = w.vector(name + ".proj_out.bias", channels);
        blocks = new BasicTransformerBlock[c.layers()];
        for (int k = 0; k < blocks.length; k++)
            blocks[k] = new BasicTransformerBlock(w, name + ".transformer_blocks." + k, inner, c.contextDim(), c.heads(), c.headDim());
    }

    /** x [N, C, H, W], ctx [N, Lc, contextDim] row-major (null: attn2 attends to the tokens themselves) -> a new tensor [N, C, H, W]. */
    public Tensor forward(Tensor x, float[] ctx, int Lc, Tracer tracer) {
        int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), L = H * W, inner = config.inner();
        if (C != config.channels()) throw new IllegalArgumentException(name + ": input has " + C + " channels, expected " + config.channels());
        float[] t = Gemm.linear(Tokens.of(norm.forward(x)), N * L, projIn, projInB); // [N, L, inner]
        String pin = name + ".proj_in";
        if (tracer.wants(pin)) tracer.capture(pin, config.linearProjection() ? Tensor.of(t, N, L, inner) : Tokens.toImage(t, N, inner, H, W));
        for (BasicTransformerBlock b : blocks) b.forward(t, N, L, ctx, Lc, tracer);
        Tensor out = Tokens.toImage(Gemm.linear(t, N * L, projOut, projOutB), N, C, H, W);
        Tensor xc = x.contiguous();
        Ops.addInPlace(out.data(), 0, xc.data(), 0, out.size());
        tracer.capture(name, out);
        return out;
    }
}
