package org.synesthesia.diffusion.unet;

import org.synesthesia.diffusion.scheduler.Timesteps;
import java.util.Arrays;
import java.util.Deque;
import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code UNet2DConditionModel} as Stable Diffusion 1.x/2.x use it: predicts the noise (or v) for latents
 * {@code sample} [N, in, H, W] at a timestep, conditioned on text states [N, Lc, cross_attention_dim].
 * <pre>
 * temb = time_embedding(time_proj(t))                    sinusoidal(block_out_channels[0]) -> MLP -> 4*C0
 * h = conv_in(sample); skips = [h]
 * h = down_blocks.i(h)  (pushing each resnet/attention/downsampler output onto skips)
 * h = mid_block(h)
 * h = up_blocks.i(h, skips popped)  (upsampling to the next skip's size)
 * out = conv_out(SiLU(conv_norm_out(h)))
 * </pre>
 * Module captures use diffusers' names ({@code down_blocks.0.attentions.0.transformer_blocks.0.attn1}, ...).
 */
public final class UNet2DConditionModel {
    private final UNetConfig config;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final WeightMatrix convIn, convOut;
    private final float[] convInB, convOutB, normOutW, normOutB;
    private final UNetBlocks.Down[] down;
    private final UNetBlocks.Mid mid;
    private final UNetBlocks.Up[] up;

    public UNet2DConditionModel(UNetConfig c, UNetWeights w) {
        this.config = c;
        int c0 = c.blockOutChannels()[0];
        timeProj = new Timesteps(c0, c.flipSinToCos(), c.freqShift());
        timeEmbedding = new TimestepEmbedding(w, "time_embedding", c0, c.timeEmbedDim());
        convIn = w.conv("conv_in.weight", c0, c.inChannels(), 3);
        convInB = w.vector("conv_in.bias", c0);
        int n = c.levels();
        down = new UNetBlocks.Down[n];
        for (int i = 0; i < n; i++) down[i] = new UNetBlocks.Down(w, c, i);
        mid = new UNetBlocks.Mid(w, c);
        up = new UNetBlocks.Up[n];
        for (int i = 0; i < n; i++) up[i] = new UNetBlocks.Up(w, c, i);
        normOutW = w.vector("conv_norm_out.weight", c0);
        normOutB = w.vector("conv_norm_out.bias", c0);
        convOut = w.conv("conv_out.weight", c.outChannels(), c0, 3);
        convOutB = w.vector("conv_out.bias", c.outChannels());
    }

    public UNetConfig config() { return config; }

    /** One timestep for the whole batch (classifier-free guidance runs uncond and cond as batch 2). */
    public Tensor forward(Tensor sample, float timestep, Tensor encoderHiddenStates, Tracer tracer) {
        float[] t = new float[sample.dim(0)];
        Arrays.fill(t, timestep);
        return forward(sample, t, encoderHiddenStates, tracer);
    }

    /**
     * @param sample               [N, in_channels, H, W]
     * @param timesteps            one per batch row
     * @param encoderHiddenStates  [N, Lc, cross_attention_dim]
     * @return [N, out_channels, H, W]
     */
    public Tensor forward(Tensor sample, float[] timesteps, Tensor encoderHiddenStates, Tracer tracer) {
        if (sample.rank() != 4 || sample.dim(1) != config.inChannels())
            throw new IllegalArgumentException("unet: sample has shape " + Arrays.toString(sample.shape()) + ", expected [N, " + config.inChannels() + ", H, W]");
        int N = sample.dim(0);
        if (timesteps.length != N) throw new IllegalArgumentException("unet: " + timesteps.length + " timesteps for a batch of " + N);
        if (encoderHiddenStates.rank() != 3 || encoderHiddenStates.dim(0) != N || encoderHiddenStates.dim(2) != config.crossAttentionDim())
            throw new IllegalArgumentException("unet: encoder_hidden_states has shape " + Arrays.toString(encoderHiddenStates.shape())
                    + ", expected [" + N + ", L, " + config.crossAttentionDim() + "]");
        float[] ctx = encoderHiddenStates.contiguous().data();
        int Lc = encoderHiddenStates.dim(1);

        float[] tp = timeProj.embed(timesteps);
        tracer.capture("time_proj", Tensor.of(tp, N, timeProj.dim()));
        float[] temb = timeEmbedding.forward(tp, N);
        tracer.capture("time_embedding", Tensor.of(temb, N, config.timeEmbedDim()));
        float[] tembSilu = temb.clone();
        UNetOps.silu(tembSilu); // every resnet's time_emb_proj reads SiLU(temb)

        Tensor h = Conv.conv2d(sample, convIn, 3, 3, convInB, 1, 1, 1, 1);
        tracer.capture("conv_in", h);
        Deque<Tensor> skips = UNetBlocks.newSkipStack();
        skips.push(h);
        for (UNetBlocks.Down d : down) h = d.forward(h, tembSilu, ctx, Lc, skips, tracer);
        h = mid.forward(h, tembSilu, ctx, Lc, tracer);

        // diffusers forwards explicit upsample sizes when H or W is not a multiple of 2^(levels-1)
        int factor = 1 << (config.levels() - 1);
        boolean explicitSize = sample.dim(2) % factor != 0 || sample.dim(3) % factor != 0;
        for (UNetBlocks.Up u : up) {
            int outH = 0, outW = 0;
            if (explicitSize && skips.size() > u.layers()) {
                Tensor next = skips.stream().skip(u.layers()).findFirst().orElseThrow();
                outH = next.dim(2);
                outW = next.dim(3);
            }
            h = u.forward(h, skips, tembSilu, ctx, Lc, outH, outW, tracer);
        }
        Tensor norm = UNetOps.groupNorm(h, config.normNumGroups(), normOutW, normOutB, config.normEps(), false);
        tracer.capture("conv_norm_out", norm);
        UNetOps.silu(norm.data());
        Tensor out = Conv.conv2d(norm, convOut, 3, 3, convOutB, 1, 1, 1, 1);
        tracer.capture("conv_out", out);
        return out;
    }
}
