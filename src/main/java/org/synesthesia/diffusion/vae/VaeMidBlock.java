package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Attention;
import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code UNetMidBlock2D} of the VAE: {@code resnets.0 -> attentions.0 -> resnets.1}, C channels throughout;
 * the attention is one head over the H*W positions with a GroupNorm and a residual connection.
 */
final class VaeMidBlock {
    final String name;
    final ResnetBlock2D resnet0;
    final Attention attention;
    final ResnetBlock2D resnet1;

    private VaeMidBlock(String name, ResnetBlock2D resnet0, Attention attention, ResnetBlock2D resnet1) {
        this.name = name;
        this.resnet0 = resnet0;
        this.attention = attention;
        this.resnet1 = resnet1;
    }

    static VaeMidBlock load(Weights w, String name, int channels, int groups, float eps) {
        return new VaeMidBlock(name,
                VaeResnet.load(w, name + ".resnets.0", channels, channels, groups, eps),
                Attention.load(w, name + ".attentions.0", Attention.Config.spatial(channels, groups, eps)),
                VaeResnet.load(w, name + ".resnets.1", channels, channels, groups, eps));
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = resnet0.forward(x, null, tracer);
        h = attention.forward(h, tracer);
        h = resnet1.forward(h, null, tracer);
        tracer.capture(name, h);
        return h;
    }
}
