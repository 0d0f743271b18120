package org.synesthesia.nn;

import org.synesthesia.kernel.Conv;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Upsample2D} (use_conv): nearest-neighbour upsampling by 2 (or to a given size, as the UNet asks
 * when the latent is not a multiple of 2^levels), then {@code conv} 3x3 pad 1. The output is captured under the
 * module's name.
 */
public final class Upsample2D implements Module {
    private final String name;
    private final Conv2d conv;

    private Upsample2D(String name, Conv2d conv) {
        this.name = name;
        this.conv = conv;
    }

    /** Reads {@code name.conv} (weight [C, C, 3, 3], bias). */
    public static Upsample2D load(Weights w, String name, int channels) {
        return new Upsample2D(name, Conv2d.load(w, name + ".conv", channels, channels, 3, 1, 1, true));
    }

    /** x [N, C, H, W] -> [N, C, 2H, 2W]. */
    @Override
    public Tensor forward(Tensor x, Tracer tracer) {
        return forward(x, 0, 0, tracer);
    }

    /** x [N, C, H, W] -> [N, C, outH, outW]; {@code outH, outW} = 2H, 2W unless given (> 0). */
    public Tensor forward(Tensor x, int outH, int outW, Tracer tracer) {
        int H = x.dim(2), W = x.dim(3);
        Tensor up = outH <= 0 || outH == 2 * H && outW == 2 * W ? Conv.upsampleNearest2x(x) : nearest(x, outH, outW);
        Tensor y = conv.forward(up);
        tracer.capture(name, y);
        return y;
    }

    /** PyTorch's {@code interpolate(mode="nearest", size=...)}: source index floor(dst * in/out), clamped. */
    public static Tensor nearest(Tensor x, int outH, int outW) {
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
