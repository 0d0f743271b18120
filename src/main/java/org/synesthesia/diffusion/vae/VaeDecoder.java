package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.GroupNorm;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;

/**
 * diffusers {@code Decoder} of {@code AutoencoderKL}: z [N, latent, h, w] -> image [N, out, h*2^(L-1), w*2^(L-1)]:
 * {@code conv_in} (latent -> widths[L-1]) -> {@code mid_block} -> {@code up_blocks.0 .. up_blocks.(L-1)} (block i
 * goes to widths[L-1-i] with layers_per_block+1 resnets and upsamples x2 unless last) -> {@code conv_norm_out}
 * (GroupNorm) -> SiLU ({@code conv_act}) -> {@code conv_out} (widths[0] -> out). Module names are prefixed
 * {@code decoder.}.
 */
final class VaeDecoder {
    private final VaeConfig config;
    private final Conv2d convIn;
    private final VaeMidBlock mid;
    private final VaeBlock[] up;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private VaeDecoder(VaeConfig config, Conv2d convIn, VaeMidBlock mid, VaeBlock[] up, GroupNorm normOut, Conv2d convOut) {
        this.config = config;
        this.convIn = convIn;
        this.mid = mid;
        this.up = up;
        this.normOut = normOut;
        this.convOut = convOut;
    }

    static VaeDecoder load(Weights w, VaeConfig c) {
        int L = c.levels(), g = c.normNumGroups();
        float eps = VaeConfig.EPS;
        int top = c.width(L - 1);
        VaeBlock[] up = new VaeBlock[L];
        int prev = top;
        for (int i = 0; i < L; i++) {
            int out = c.width(L - 1 - i);
            up[i] = VaeBlock.up(w, "decoder.up_blocks." + i, prev, out, c.layersPerBlock() + 1, i < L - 1, g, eps);
            prev = out;
        }
        return new VaeDecoder(c,
                Conv2d.load(w, "decoder.conv_in", c.latentChannels(), top, 3, 1, 1, true),
                VaeMidBlock.load(w, "decoder.mid_block", top, g, eps),
                up,
                GroupNorm.load(w, "decoder.conv_norm_out", c.width(0), g, eps),
                Conv2d.load(w, "decoder.conv_out", c.width(0), c.outChannels(), 3, 1, 1, true));
    }

    VaeConfig config() { return config; }

    /** z [N, latent, h, w] (after post_quant_conv) -> image [N, out, H, W]. */
    public Tensor forward(Tensor z, Tracer tracer) {
        boolean big = (long) z.dim(2) * z.dim(3) >= 32 * 32;
        try (Progress p = big ? Progress.start("vae decode", up.length + 2, "blocks") : null) {
            Tensor h = convIn.forward(z);
            tracer.capture("decoder.conv_in", h);
            h = mid.forward(h, tracer);
            if (p != null) p.step();
            for (VaeBlock b : up) {
                h = b.forward(h, tracer);
                if (p != null) p.step();
            }
            h = normOut.forward(h);
            tracer.capture("decoder.conv_norm_out", h);
            org.synesthesia.kernel.Act.silu(h.data(), 0, h.size());
            tracer.capture("decoder.conv_act", h);
            h = convOut.forward(h);
            tracer.capture("decoder.conv_out", h);
            tracer.capture("decoder", h);
            if (p != null) p.step();
            return h;
        }
    }
}
