package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/** diffusers {@code Downsample2D} (use_conv, padding 1): {@code conv} 3x3, stride 2, pad 1: [N, C, H, W] -> [N, C, ceil(H/2), ceil(W/2)]. */
public final class Downsample2D {
    private final String name;
    private final WeightMatrix conv;
    private final float[] bias;

    public Downsample2D(UNetWeights w, String name, int channels) {
        this.name = name;
        conv = w.conv(name + ".conv.weight", channels, channels, 3);
        bias = w.vector(name + ".conv.bias", channels);
    }

    public Tensor forward(Tensor x, Tracer tracer) {
        Tensor y = Conv.conv2d(x, conv, 3, 3, bias, 2, 1, 1, 1);
        tracer.capture(name, y);
        return y;
    }
}
