package org.synesthesia.diffusion.unet;

import java.util.ArrayDeque;
import java.util.Deque;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * The UNet's level blocks, diffusers' {@code CrossAttnDownBlock2D}/{@code DownBlock2D},
 * {@code UNetMidBlock2DCrossAttn} and {@code CrossAttnUpBlock2D}/{@code UpBlock2D}: the cross-attention variants
 * follow each resnet with a {@link Transformer2D}; the plain variants have none.
 */
public final class UNetBlocks {
    private UNetBlocks() {}

    /**
     * Down level: for each layer {@code h = resnet_j(h); h = attention_j(h)}, each output kept as a skip; then the
     * optional downsampler, whose output is kept too. Returns the last h (captured under the block's name).
     */
    public static final class Down {
        private final String name;
        private final ResnetBlock2D[] resnets;
        private final Transformer2D[] attentions; // null when the level has no attention
        private final Downsample2D downsampler;   // null on the last level

        public Down(UNetWeights w, UNetConfig c, int level) {
            name = "down_blocks." + level;
            int out = c.blockOutChannels()[level];
            int in = level == 0 ? c.blockOutChannels()[0] : c.blockOutChannels()[level - 1];
            int L = c.layersPerBlock();
            resnets = new ResnetBlock2D[L];
            attentions = c.downHasAttention(level) ? new Transformer2D[L] : null;
            for (int j = 0; j < L; j++) {
                resnets[j] = new ResnetBlock2D(w, name + ".resnets." + j, j == 0 ? in : out, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1);
                if (attentions != null)
                    attentions[j] = new Transformer2D(w, name + ".attentions." + j, out, c.heads()[level], c.crossAttentionDim(),
                            c.transformerLayers(), c.normNumGroups(), c.useLinearProjection());
            }
            downsampler = level < c.levels() - 1 ? new Downsample2D(w, name + ".downsamplers.0", out) : null;
        }

        public Tensor forward(Tensor h, float[] tembSilu, float[] ctx, int Lc, Deque<Tensor> skips, Tracer tracer) {
            for (int j = 0; j < resnets.length; j++) {
                h = resnets[j].forward(h, tembSilu, tracer);
                if (attentions != null) h = attentions[j].forward(h, ctx, Lc, tracer);
                skips.push(h);
            }
            if (downsampler != null) {
                h = downsampler.forward(h, tracer);
                skips.push(h);
            }
            tracer.capture(name, h);
            return h;
        }
    }

    /** {@code UNetMidBlock2DCrossAttn}: resnets.0 -> attentions.0 -> resnets.1 at the deepest level's width. */
    public static final class Mid {
        private final ResnetBlock2D first, second;
        private final Transformer2D attention;

        public Mid(UNetWeights w, UNetConfig c) {
            int ch = c.blockOutChannels()[c.levels() - 1];
            float scale = c.midBlockScaleFactor();
            first = new ResnetBlock2D(w, "mid_block.resnets.0", ch, ch, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), scale);
            attention = new Transformer2D(w, "mid_block.attentions.0", ch, c.heads()[c.levels() - 1], c.crossAttentionDim(),
                    c.transformerLayers(), c.normNumGroups(), c.useLinearProjection());
            second = new ResnetBlock2D(w, "mid_block.resnets.1", ch, ch, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), scale);
        }

        public Tensor forward(Tensor h, float[] tembSilu, float[] ctx, int Lc, Tracer tracer) {
            h = first.forward(h, tembSilu, tracer);
            h = attention.forward(h, ctx, Lc, tracer);
            h = second.forward(h, tembSilu, tracer);
            tracer.capture("mid_block", h);
            return h;
        }
    }

    /**
     * Up block i (deepest first): layers_per_block+1 resnets, each on {@code cat([h, skip], dim=1)} with the skips
     * popped last-in first-out, each followed by its attention on the cross-attention variant; then the optional
     * upsampler. Channels as diffusers: resnet j takes (j == 0 ? previous block's width : out) + skip width, where
     * the skip is the width of down level {@code levels-1-i} except for the last resnet, which takes the skip from
     * the level above ({@code levels-2-i}, clamped to 0).
     */
    public static final class Up {
        private final String name;
        private final ResnetBlock2D[] resnets;
        private final Transformer2D[] attentions;
        private final Upsample2D upsampler;

        public Up(UNetWeights w, UNetConfig c, int i) {
            name = "up_blocks." + i;
            int n = c.levels();
            int[] boc = c.blockOutChannels();
            int out = boc[n - 1 - i];
            int prevOut = boc[n - 1 - Math.max(0, i - 1)];
            int skipIn = boc[n - 1 - Math.min(i + 1, n - 1)];
            int layers = c.layersPerBlock() + 1;
            int heads = c.heads()[n - 1 - i];
            resnets = new ResnetBlock2D[layers];
            attentions = c.upHasAttention(i) ? new Transformer2D[layers] : null;
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? skipIn : out;
                int resIn = j == 0 ? prevOut : out;
                resnets[j] = new ResnetBlock2D(w, name + ".resnets." + j, resIn + skip, out, c.timeEmbedDim(), c.normNumGroups(), c.normEps(), 1);
                if (attentions != null)
                    attentions[j] = new Transformer2D(w, name + ".attentions." + j, out, heads, c.crossAttentionDim(),
                            c.transformerLayers(), c.normNumGroups(), c.useLinearProjection());
            }
            upsampler = i < n - 1 ? new Upsample2D(w, name + ".upsamplers.0", out) : null;
        }

        public int layers() { return resnets.length; }

        /** @param outH, outW the upsampler's output size, or 0 for 2x */
        public Tensor forward(Tensor h, Deque<Tensor> skips, float[] tembSilu, float[] ctx, int Lc, int outH, int outW, Tracer tracer) {
            for (int j = 0; j < resnets.length; j++) {
                h = UNetOps.concatChannels(h, skips.pop());
                h = resnets[j].forward(h, tembSilu, tracer);
                if (attentions != null) h = attentions[j].forward(h, ctx, Lc, tracer);
            }
            if (upsampler != null) h = upsampler.forward(h, outH, outW, tracer);
            tracer.capture(name, h);
            return h;
        }
    }

    static Deque<Tensor> newSkipStack() {
        return new ArrayDeque<>();
    }
}
