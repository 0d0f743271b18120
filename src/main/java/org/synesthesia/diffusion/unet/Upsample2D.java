package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Upsample2D} (use_conv): nearest-neighbour upsampling by 2 (or to {@code size}, as the UNet asks
 * when the latent is not a multiple of 2^levels), then {@code conv} 3x3 pad 1.
 */
public final class Upsample2D {
    private final String name;
    private final WeightMatrix conv;
    private final float[] bias;

    public Upsample2D(UNetWeights w, String name, int channels) {
        this.name = name;
        conv = w.conv(name + ".conv.weight", channels, channels, 3);
        bias = w.vector(name + ".conv.bias", channels);
    }

    /** x [N, C, H, W] -> [N, C, outH, outW]; {@code outH, outW} = 2H, 2W unless given (> 0). */
    public Tensor forward(Tensor x, int outH, int outW, Tracer tracer) {
        int H = x.dim(2), W = x.dim(3);
        Tensor up = outH <= 0 || outH == 2 * H && outW == 2 * W ? Conv.upsampleNearest2x(x) : nearest(x, outH, outW);
        Tensor y = Conv.conv2d(up, conv, 3, 3, bias, 1, 1, 1, 1);
        tracer.capture(name, y);
        return y;
    }

    /** PyTorch's {@code interpolate(mode="nearest", size=...)}: source index floor(dst * in/out), clamped. */
    static Tensor nearest(Tensor x, int outH, int outW) {
        int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
        float[] in = x.contiguous().data();
        float[] out = new float[N * C * outH * outW];
        float sh = (float) H / outH, sw = (float) W / outW;
        int[] col = new int[outW];
        for (int j = 0; j < outW; j++) col[j] = Math.min((int) Math.floor(j * sw), W - 1);
        for (int p = 0; p < N * C; p++)
            for (int i = 0; i < outH; i++) {
                int si = Math.min((int) Math.floor(i * sh), H - 1);
                for (int j = 0; j < outW; j++) out[(p * outH + i) * outW + j] = in[(p * H + si) * W + col[j]];
            }
        return Tensor.of(out, N, C, outH, outW);
    }
}
