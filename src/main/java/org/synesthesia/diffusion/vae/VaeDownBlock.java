package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Downsample2D;
import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code DownEncoderBlock2D}: {@code resnets.0 .. resnets.(layers-1)} (the first from {@code in} to
 * {@code out} channels), then, unless this is the last block, {@code downsamplers.0} = {@code Downsample2D} with
 * padding 0 (zero row and column added at the bottom and right, then a 3x3 stride-2 convolution: H and W halve).
 */
final class VaeDownBlock {
    final String name;
    final ResnetBlock2D[] resnets;
    final Downsample2D downsampler; // null for the last block

    private VaeDownBlock(String name, ResnetBlock2D[] resnets, Downsample2D downsampler) {
        this.name = name;
        this.resnets = resnets;
        this.downsampler = downsampler;
    }

    static VaeDownBlock load(Weights w, String name, int in, int out, int layers, boolean downsample, int groups, float eps) {
        ResnetBlock2D[] r = new ResnetBlock2D[layers];
        for (int i = 0; i < layers; i++) r[i] = VaeResnet.load(w, name + ".resnets." + i, i == 0 ? in : out, out, groups, eps);
        Downsample2D down = downsample ? Downsample2D.load(w, name + ".downsamplers.0", out, 0) : null;
        return new VaeDownBlock(name, r, down);
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = x;
        for (ResnetBlock2D r : resnets) h = r.forward(h, null, tracer);
        if (downsampler != null) h = downsampler.forward(h, tracer);
        tracer.capture(name, h);
        return h;
    }
}
