package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Upsample2D;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code UpDecoderBlock2D}: {@code resnets.0 .. resnets.(layers-1)} (the first from {@code in} to
 * {@code out} channels), then, unless this is the last block, {@code upsamplers.0} = {@code Upsample2D}:
 * nearest-neighbour x2 followed by a 3x3 convolution {@code conv}.
 */
final class VaeUpBlock {
    final String name;
    final ResnetBlock2D[] resnets;
    final Upsample2D upsampler; // null for the last block

    private VaeUpBlock(String name, ResnetBlock2D[] resnets, Upsample2D upsampler) {
        this.name = name;
        this.resnets = resnets;
        this.upsampler = upsampler;
    }

    static VaeUpBlock load(Weights w, String name, int in, int out, int layers, boolean upsample, int groups, float eps) {
        ResnetBlock2D[] r = new ResnetBlock2D[layers];
        for (int i = 0; i < layers; i++) r[i] = VaeResnet.load(w, name + ".resnets." + i, i == 0 ? in : out, out, groups, eps);
        Upsample2D up = upsample ? Upsample2D.load(w, name + ".upsamplers.0", out) : null;
        return new VaeUpBlock(name, r, up);
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = x;
        for (ResnetBlock2D r : resnets) h = r.forward(h, null, tracer);
        if (upsampler != null) h = upsampler.forward(h, tracer);
        tracer.capture(name, h);
        return h;
    }
}
