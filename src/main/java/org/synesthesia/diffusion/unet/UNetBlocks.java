package org.synesthesia.diffusion.unet;

import java.util.ArrayDeque;
import java.util.Deque;
import org.synesthesia.nn.Downsample2D;
import org.synesthesia.nn.ResnetBlock2D;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Transformer2DModel;
import org.synesthesia.nn.Upsample2D;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * The UNet's level blocks, diffusers' {@code CrossAttnDownBlock2D}/{@code DownBlock2D},
 * {@code UNetMidBlock2DCrossAttn} and {@code CrossAttnUpBlock2D}/{@code UpBlock2D}: the cross-attention variants
 * follow each resnet with a {@link Transformer2DModel}; the plain variants have none. Without cross-attention
 * (AudioLDM) the transformers' attn2 has key/value width = channels and is run with no context (self-attention).
 */
final class UNetBlocks {
    private UNetBlocks() {}

    /**
     * Down level: for each layer {@code h = resnet_j(h); h = attention_j(h)}, each output kept as a skip; then the
     * optional downsampler, whose output is kept too. Returns the last h (captured under the block's name).
     */
    static final class Down {
        private final String name;
        private final ResnetBlock2D[] resnets;
        private final Transformer2DModel[] attentions; // null when the level has no attention
        private final Downsample2D downsampler;   // null on the last level

        public Down(Weights w, UNetConfig c, int level) {
            name = "down_blocks." + level;
            int out = c.blockOutChannels()[level];
            int in = level == 0 ? c.blockOutChannels()[0] : c.blockOutChannels()[level - 1];
            int L = c.layersPerBlock();
            resnets = new ResnetBlock2D[L];
            attentions = c.downHasAttention(level) ? new Transformer2DModel[L] : null;
            for (int j = 0; j < L; j++) {
                resnets[j] = resnet(w, name + ".resnets." + j, j == 0 ? in : out, out, c, 1);
                if (attentions != null) attentions[j] = transformer(w, name + ".attentions." + j, out, c.heads()[level], c);
            }
            downsampler = level < c.levels() - 1 ? Downsample2D.load(w, name + ".downsamplers.0", out, c.downsamplePadding()) : null;
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
    static final class Mid {
        private final ResnetBlock2D first, second;
        private final Transformer2DModel attention;

        public Mid(Weights w, UNetConfig c) {
            int ch = c.blockOutChannels()[c.levels() - 1];
            float scale = c.midBlockScaleFactor();
            first = resnet(w, "mid_block.resnets.0", ch, ch, c, scale);
            attention = transformer(w, "mid_block.attentions.0", ch, c.heads()[c.levels() - 1], c);
            second = resnet(w, "mid_block.resnets.1", ch, ch, c, scale);
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
    static final class Up {
        private final String name;
        private final ResnetBlock2D[] resnets;
        private final Transformer2DModel[] attentions;
        private final Upsample2D upsampler;

        public Up(Weights w, UNetConfig c, int i) {
            name = "up_blocks." + i;
            int n = c.levels();
            int[] boc = c.blockOutChannels();
            int out = boc[n - 1 - i];
            int prevOut = boc[n - 1 - Math.max(0, i - 1)];
            int skipIn = boc[n - 1 - Math.min(i + 1, n - 1)];
            int layers = c.layersPerBlock() + 1;
            int heads = c.heads()[n - 1 - i];
            resnets = new ResnetBlock2D[layers];
            attentions = c.upHasAttention(i) ? new Transformer2DModel[layers] : null;
            for (int j = 0; j < layers; j++) {
                int skip = j == layers - 1 ? skipIn : out;
                int resIn = j == 0 ? prevOut : out;
                resnets[j] = resnet(w, name + ".resnets." + j, resIn + skip, out, c, 1);
                if (attentions != null) attentions[j] = transformer(w, name + ".attentions." + j, out, heads, c);
            }
            upsampler = i < n - 1 ? Upsample2D.load(w, name + ".upsamplers.0", out) : null;
        }

        int layers() { return resnets.length; }

        /** @param outH, outW the upsampler's output size, or 0 for 2x */
        public Tensor forward(Tensor h, Deque<Tensor> skips, float[] tembSilu, float[] ctx, int Lc, int outH, int outW, Tracer tracer) {
            for (int j = 0; j < resnets.length; j++) {
                h = concatChannels(h, skips.pop());
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

    private static ResnetBlock2D resnet(Weights w, String name, int in, int out, UNetConfig c, float outputScale) {
        return ResnetBlock2D.load(w, name, new ResnetBlock2D.Config(in, out, c.resnetEmbedDim(), c.normNumGroups(), c.normEps(), outputScale));
    }

    private static Transformer2DModel transformer(Weights w, String name, int channels, int heads, UNetConfig c) {
        return new Transformer2DModel(w, name, new Transformer2DModel.Config(channels, heads, c.hasCrossAttention() ? c.crossAttentionDim() : channels, c.transformerLayers(),
                c.normNumGroups(), c.useLinearProjection()));
    }

    /** cat([a, b], dim=1) of [N, Ca, H, W] and [N, Cb, H, W]. */
    static Tensor concatChannels(Tensor a, Tensor b) {
        int N = a.dim(0), Ca = a.dim(1), Cb = b.dim(1), H = a.dim(2), W = a.dim(3);
        if (b.dim(0) != N || b.dim(2) != H || b.dim(3) != W)
            throw new IllegalArgumentException("unet: cannot concatenate " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
        int S = H * W;
        float[] ad = a.contiguous().data(), bd = b.contiguous().data();
        float[] out = new float[N * (Ca + Cb) * S];
        for (int n = 0; n < N; n++) {
            System.arraycopy(ad, n * Ca * S, out, n * (Ca + Cb) * S, Ca * S);
            System.arraycopy(bd, n * Cb * S, out, (n * (Ca + Cb) + Ca) * S, Cb * S);
        }
        return Tensor.of(out, N, Ca + Cb, H, W);
    }
}
