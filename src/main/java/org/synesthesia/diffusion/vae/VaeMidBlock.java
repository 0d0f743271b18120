package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/** diffusers {@code UNetMidBlock2D} of the VAE: {@code resnets.0 -> attentions.0 -> resnets.1}, C channels throughout. */
final class VaeMidBlock {
    final String name;
    final VaeResnetBlock resnet0;
    final VaeAttention attention;
    final VaeResnetBlock resnet1;

    private VaeMidBlock(String name, VaeResnetBlock resnet0, VaeAttention attention, VaeResnetBlock resnet1) {
        this.name = name;
        this.resnet0 = resnet0;
        this.attention = attention;
        this.resnet1 = resnet1;
    }

    static VaeMidBlock load(VaeWeights w, String name, int channels, int groups, float eps) {
        return new VaeMidBlock(name,
                VaeResnetBlock.load(w, name + ".resnets.0", channels, channels, groups, eps),
                VaeAttention.load(w, name + ".attentions.0", channels, groups, eps),
                VaeResnetBlock.load(w, name + ".resnets.1", channels, channels, groups, eps));
    }

    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = resnet0.forward(x, tracer);
        h = attention.forward(h, tracer);
        h = resnet1.forward(h, tracer);
        tracer.capture(name, h);
        return h;
    }
}
