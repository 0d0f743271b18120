package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code DownEncoderBlock2D}: {@code resnets.0 .. resnets.(layers-1)} (the first from {@code in} to
 * {@code out} channels), then, unless this is the last block, {@code downsamplers.0} = {@code Downsample2D}
 * with padding 0: the input is zero-padded by one row at the bottom and one column at the right
 * ({@code F.pad(x, (0, 1, 0, 1))}), then a 3x3 convolution {@code conv} with stride 2 halves H and W.
 */
final class VaeDownBlock {
    final String name;
    final VaeResnetBlock[] resnets;
    final VaeConv2d downsampleConv; // null for the last block

    private VaeDownBlock(String name, VaeResnetBlock[] resnets, VaeConv2d downsampleConv) {
        this.name = name;
        this.resnets = resnets;
        this.downsampleConv = downsampleConv;
    }

    static VaeDownBlock load(VaeWeights w, String name, int in, int out, int layers, boolean downsample, int groups, float eps) {
        VaeResnetBlock[] r = new VaeResnetBlock[layers];
        for (int i = 0; i < layers; i++) r[i] = VaeResnetBlock.load(w, name + ".resnets." + i, i == 0 ? in : out, out, groups, eps);
        VaeConv2d down = downsample ? VaeConv2d.load(w, name + ".downsamplers.0.conv", out, out, 3, 2, 0, true) : null;
        return new VaeDownBlock(name, r, down);
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = x;
        for (VaeResnetBlock r : resnets) h = r.forward(h, tracer);
        if (downsampleConv != null) {
            h = downsampleConv.apply(padBottomRight(h));
            tracer.capture(name + ".downsamplers.0", h);
        }
        tracer.capture(name, h);
        return h;
    }

    /** x [N, C, H, W] -> [N, C, H+1, W+1] with a zero last row and column. */
    static Tensor padBottomRight(Tensor x) {
        Tensor c = x.contiguous();
        int NC = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
        float[] src = c.data(), y = new float[NC * (H + 1) * (W + 1)];
        for (int p = 0; p < NC; p++)
            for (int i = 0; i < H; i++)
                System.arraycopy(src, c.offset() + (p * H + i) * W, y, (p * (H + 1) + i) * (W + 1), W);
        return Tensor.of(y, x.dim(0), x.dim(1), H + 1, W + 1);
    }
}
