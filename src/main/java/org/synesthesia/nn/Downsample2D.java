package org.synesthesia.nn;

import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code Downsample2D} (use_conv): {@code conv} 3x3, stride 2, padding p; with p = 0 the input is first
 * zero-padded by one row at the bottom and one column at the right ({@code F.pad(x, (0, 1, 0, 1))}, the VAE's
 * encoder). [N, C, H, W] -> [N, C, ceil(H/2), ceil(W/2)] for p = 1, [N, C, floor((H+1-3)/2)+1, ...] for p = 0.
 * The output is captured under the module's name.
 */
public final class Downsample2D implements Module {
    private final String name;
    private final Conv2d conv;
    private final int padding;

    private Downsample2D(String name, Conv2d conv, int padding) {
        this.name = name;
        this.conv = conv;
        this.padding = padding;
    }

    /** Reads {@code name.conv} (weight [C, C, 3, 3], bias). */
    public static Downsample2D load(Weights w, String name, int channels, int padding) {
        return new Downsample2D(name, Conv2d.load(w, name + ".conv", channels, channels, 3, 2, padding, true), padding);
    }

    @Override
    public Tensor forward(Tensor x, Tracer tracer) {
        Tensor y = conv.forward(padding == 0 ? padBottomRight(x) : x);
        tracer.capture(name, y);
        return y;
    }

    /** x [N, C, H, W] -> [N, C, H+1, W+1] with a zero last row and column. */
    static Tensor padBottomRight(Tensor x) {
        Tensor c = x.contiguous();
        int NC = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
        float[] src = c.data(), y = new float[NC * (H + 1) * (W + 1)];
        for (int p = 0; p < NC; p++)
            for (int i = 0; i < H; i++)
                System.arraycopy(src, (p * H + i) * W, y, (p * (H + 1) + i) * (W + 1), W);
        return Tensor.of(y, x.dim(0), x.dim(1), H + 1, W + 1);
    }
}
