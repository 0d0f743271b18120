package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Downsample2D;
import org.synesthesia.nn.Module;
import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Upsample2D;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code DownEncoderBlock2D} / {@code UpDecoderBlock2D}: {@code resnets.0 .. resnets.(layers-1)} (the
 * first from {@code in} to {@code out} channels), then, unless this is the last block, a resampler:
 * {@code downsamplers.0} = {@code Downsample2D} with padding 0 (zero row and column added at the bottom and right,
 * then a 3x3 stride-2 convolution: H and W halve), or {@code upsamplers.0} = {@code Upsample2D} (nearest x2, then a
 * 3x3 convolution {@code conv}).
 */
final class VaeBlock {
    final String name;
    final ResnetBlock2D[] resnets;
    final Module resampler; // null for the last block

    private VaeBlock(String name, ResnetBlock2D[] resnets, Module resampler) {
        this.name = name;
        this.resnets = resnets;
        this.resampler = resampler;
    }

    /** An encoder block, halving H and W at its end unless {@code downsample} is false. */
    static VaeBlock down(Weights w, String name, int in, int out, int layers, boolean downsample, int groups, float eps) {
        return new VaeBlock(name, resnets(w, name, in, out, layers, groups, eps),
                downsample ? Downsample2D.load(w, name + ".downsamplers.0", out, 0) : null);
    }

    /** A decoder block, doubling H and W at its end unless {@code upsample} is false. */
    static VaeBlock up(Weights w, String name, int in, int out, int layers, boolean upsample, int groups, float eps) {
        return new VaeBlock(name, resnets(w, name, in, out, layers, groups, eps),
                upsample ? Upsample2D.load(w, name + ".upsamplers.0", out) : null);
    }

    private static ResnetBlock2D[] resnets(Weights w, String name, int in, int out, int layers, int groups, float eps) {
        ResnetBlock2D[] r = new ResnetBlock2D[layers];
        for (int i = 0; i < layers; i++) r[i] = VaeResnet.load(w, name + ".resnets." + i, i == 0 ? in : out, out, groups, eps);
        return r;
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = x;
        for (ResnetBlock2D r : resnets) h = r.forward(h, null, tracer);
        if (resampler != null) h = resampler.forward(h, tracer);
        tracer.capture(name, h);
        return h;
    }
}
