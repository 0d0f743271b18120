package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Conv;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code UpDecoderBlock2D}: {@code resnets.0 .. resnets.(layers-1)} (the first from {@code in} to
 * {@code out} channels), then, unless this is the last block, {@code upsamplers.0} = {@code Upsample2D}:
 * nearest-neighbour x2 followed by a 3x3 convolution {@code conv}.
 */
final class VaeUpBlock {
    final String name;
    final VaeResnetBlock[] resnets;
    final VaeConv2d upsampleConv; // null for the last block

    private VaeUpBlock(String name, VaeResnetBlock[] resnets, VaeConv2d upsampleConv) {
        this.name = name;
        this.resnets = resnets;
        this.upsampleConv = upsampleConv;
    }

    static VaeUpBlock load(VaeWeights w, String name, int in, int out, int layers, boolean upsample, int groups, float eps) {
        VaeResnetBlock[] r = new VaeResnetBlock[layers];
        for (int i = 0; i < layers; i++) r[i] = VaeResnetBlock.load(w, name + ".resnets." + i, i == 0 ? in : out, out, groups, eps);
        VaeConv2d up = upsample ? VaeConv2d.load(w, name + ".upsamplers.0.conv", out, out, 3, 1, 1, true) : null;
        return new VaeUpBlock(name, r, up);
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = x;
        for (VaeResnetBlock r : resnets) h = r.forward(h, tracer);
        if (upsampleConv != null) {
            h = Conv.upsampleNearest2x(h);
            h = upsampleConv.apply(h);
            tracer.capture(name + ".upsamplers.0", h);
        }
        tracer.capture(name, h);
        return h;
    }
}
