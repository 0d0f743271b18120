package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Act;
import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.GroupNorm;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;

/**
 * diffusers {@code Encoder} of {@code AutoencoderKL} (double_z): image [N, in, H, W] -> moments
 * [N, 2*latent, H/2^(L-1), W/2^(L-1)]: {@code conv_in} (in -> widths[0]) -> {@code down_blocks.0 .. down_blocks.(L-1)}
 * (block i goes to widths[i] with layers_per_block resnets, downsampling x2 unless last) -> {@code mid_block} ->
 * {@code conv_norm_out} -> SiLU -> {@code conv_out} (widths[L-1] -> 2*latent). Module names are prefixed
 * {@code encoder.}.
 */
final class VaeEncoder {
    private final VaeConfig config;
    private final Conv2d convIn;
    private final VaeBlock[] down;
    private final VaeMidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private VaeEncoder(VaeConfig config, Conv2d convIn, VaeBlock[] down, VaeMidBlock mid, GroupNorm normOut, Conv2d convOut) {
        this.config = config;
        this.convIn = convIn;
        this.down = down;
        this.mid = mid;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    static VaeEncoder load(Weights w, VaeConfig c) {
        int L = c.levels(), g = c.normNumGroups();
        float eps = VaeConfig.EPS;
        VaeBlock[] down = new VaeBlock[L];
        int prev = c.width(0);
        for (int i = 0; i < L; i++) {
            down[i] = VaeBlock.down(w, "encoder.down_blocks." + i, prev, c.width(i), c.layersPerBlock(), i < L - 1, g, eps);
            prev = c.width(i);
        }
        int top = c.width(L - 1);
        return new VaeEncoder(c,
                Conv2d.load(w, "encoder.conv_in", c.inChannels(), c.width(0), 3, 1, 1, true),
                down,
                VaeMidBlock.load(w, "encoder.mid_block", top, g, eps),
                GroupNorm.load(w, "encoder.conv_norm_out", top, g, eps),
                Conv2d.load(w, "encoder.conv_out", top, 2 * c.latentChannels(), 3, 1, 1, true));
    }

    VaeConfig config() { return config; }

    /** image [N, in, H, W] -> moments [N, 2*latent, h, w] (before quant_conv). */
    public Tensor forward(Tensor x, Tracer tracer) {
        boolean big = (long) x.dim(2) * x.dim(3) >= 256 * 256;
        try (Progress p = big ? Progress.start("vae encode", down.length + 2, "blocks") : null) {
            Tensor h = convIn.forward(x);
            tracer.capture("encoder.conv_in", h);
            for (VaeBlock b : down) {
                h = b.forward(h, tracer);
                if (p != null) p.step();
            }
            h = mid.forward(h, tracer);
            if (p != null) p.step();
            h = normOut.forward(h);
            tracer.capture("encoder.conv_norm_out", h);
            Act.silu(h.data(), 0, h.size());
            tracer.capture("encoder.conv_act", h);
            h = convOut.forward(h);
            tracer.capture("encoder.conv_out", h);
            tracer.capture("encoder", h);
            if (p != null) p.step();
            return h;
        }
    }
}
