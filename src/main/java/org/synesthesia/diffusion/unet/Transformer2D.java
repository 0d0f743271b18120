package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Norm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Transformer2DModel} (SD's spatial transformer) on x [N, C, H, W] with text states [N, Lc, Dc]:
 * <pre>
 * h = GroupNorm(32, C, eps 1e-6)(x)
 * h = proj_in(h)   1x1 conv (SD1), or Linear on the tokens (SD2's use_linear_projection); inner = heads*headDim
 * t = tokens of h, [N, H*W, inner];  t = BasicTransformerBlock_k(t, text) for each block
 * h = proj_out(t)  (1x1 conv or Linear), back to [N, C, H, W]
 * out = h + x
 * </pre>
 * A 1x1 conv is the same product as a Linear on token rows, so both use one GEMM over the [C, C(,1,1)] weight.
 * The {@code proj_in} capture has diffusers' layout: [N, inner, H, W] for the conv, [N, H*W, inner] for the Linear.
 */
public final class Transformer2D {
    private static final float GN_EPS = 1e-6f;
    private final String name;
    private final int channels, inner, groups;
    private final boolean linearProjection;
    private final float[] normW, normB, projInB, projOutB;
    private final WeightMatrix projIn, projOut;
    private final BasicTransformerBlock[] blocks;

    public Transformer2D(UNetWeights w, String name, int channels, int heads, int contextDim, int layers, int groups, boolean linearProjection) {
        this.name = name;
        this.channels = channels;
        this.groups = groups;
        this.linearProjection = linearProjection;
        int headDim = channels / heads;
        inner = heads * headDim;
        normW = w.vector(name + ".norm.weight", channels);
        normB = w.vector(name + ".norm.bias", channels);
        projIn = w.linear(name + ".proj_in.weight", inner, channels);
        projInB = w.vector(name + ".proj_in.bias", inner);
        projOut = w.linear(name + ".proj_out.weight", channels, inner);
        projOutB = w.vector(name + ".proj_out.bias", channels);
        blocks = new BasicTransformerBlock[layers];
        for (int k = 0; k < layers; k++)
            blocks[k] = new BasicTransformerBlock(w, name + ".transformer_blocks." + k, inner, contextDim, heads, headDim);
    }

    /** x [N, C, H, W], ctx [N, Lc, contextDim] row-major -> [N, C, H, W]. */
    public Tensor forward(Tensor x, float[] ctx, int Lc, Tracer tracer) {
        int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), L = H * W;
        if (C != channels) throw new IllegalArgumentException(name + ": input has " + C + " channels, expected " + channels);
        float[] xd = x.contiguous().data();
        float[] h = new float[xd.length];
        Norm.groupNorm(xd, h, N, C, L, groups, normW, normB, GN_EPS);
        float[] t = Gemm.linear(UNetOps.toTokens(Tensor.of(h, N, C, H, W)), N * L, projIn, projInB); // [N, L, inner]
        String pin = name + ".proj_in";
        if (tracer.wants(pin)) tracer.capture(pin, linearProjection ? Tensor.of(t, N, L, inner) : UNetOps.fromTokens(t, N, inner, H, W));
        for (BasicTransformerBlock b : blocks) b.forward(t, N, L, ctx, Lc, tracer);
        Tensor out = UNetOps.fromTokens(Gemm.linear(t, N * L, projOut, projOutB), N, C, H, W);
        UNetOps.addInPlace(out, x);
        tracer.capture(name, out);
        return out;
    }
}
