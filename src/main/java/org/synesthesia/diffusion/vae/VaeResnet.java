package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.GroupNorm;
import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Weights;

/** The VAE's {@link ResnetBlock2D}: no time embedding, output_scale_factor 1. */
final class VaeResnet {
    private VaeResnet() {}

    /**
     * Reads conv_shortcut (if any) first, then norm1, conv1, norm2, conv2: the order in which a lazily made random
     * checkpoint ({@code RandomWeightSource}) gives the VAE its values.
     */
    static ResnetBlock2D load(Weights w, String name, int in, int out, int groups, float eps) {
        ResnetBlock2D.Config c = new ResnetBlock2D.Config(in, out, 0, groups, eps, 1);
        Conv2d shortcut = ResnetBlock2D.shortcut(w, name, c);
        GroupNorm norm1 = GroupNorm.load(w, name + ".norm1", in, groups, eps);
        Conv2d conv1 = Conv2d.load(w, name + ".conv1", in, out, 3, 1, 1, true);
        GroupNorm norm2 = GroupNorm.load(w, name + ".norm2", out, groups, eps);
        Conv2d conv2 = Conv2d.load(w, name + ".conv2", out, out, 3, 1, 1, true);
        return new ResnetBlock2D(name, norm1, conv1, null, null, norm2, conv2, shortcut, 1);
    }
}
