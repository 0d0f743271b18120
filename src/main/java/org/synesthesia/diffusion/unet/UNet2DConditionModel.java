package org.synesthesia.diffusion.unet;

import org.synesthesia.diffusion.scheduler.Timesteps;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Deque;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.WeightSource;
import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.GroupNorm;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code UNet2DConditionModel} as Stable Diffusion 1.x/2.x and AudioLDM use it: predicts the noise (or v)
 * for latents {@code sample} [N, in, H, W] at a timestep, conditioned on text states [N, Lc, cross_attention_dim]
 * (SD) or on one class vector per row [N, class_embed_input_dim] (AudioLDM's CLAP embedding; its transformers then run
 * attn2 as self-attention).
 * <pre>
 * temb = time_embedding(time_proj(t))                    sinusoidal(block_out_channels[0]) -> MLP -> 4*C0
 * temb = cat([temb, class_embedding(y)], -1)             with a concatenated class embedding (AudioLDM FiLM): 8*C0
 *        (or temb + class_embedding(y) without concat)   class_embedding = Linear(class_embed_input_dim, 4*C0)
 * h = conv_in(sample); skips = [h]
 * h = down_blocks.i(h)  (pushing each resnet/attention/downsampler output onto skips)
 * h = mid_block(h)
 * h = up_blocks.i(h, skips popped)  (upsampling to the next skip's size)
 * out = conv_out(SiLU(conv_norm_out(h)))
 * </pre>
 * Module captures use diffusers' names ({@code down_blocks.0.attentions.0.transformer_blocks.0.attn1}, ...). Weights
 * are looked up by those names ({@link #weights}: any checkpoint layout {@link UNetNames} maps).
 */
public final class UNet2DConditionModel {
    private final UNetConfig config;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final WeightMatrix classEmbedding; // null: no class conditioning
    private final float[] classEmbeddingBias;
    private final Conv2d convIn, convOut;
    private final GroupNorm normOut;
    private final UNetBlocks.Down[] down;
    private final UNetBlocks.Mid mid;
    private final UNetBlocks.Up[] up;
    /** JIT warm-up of the kernels while the weights load; stopped by the first forward. */
    private final org.synesthesia.kernel.Warmup warmup;

    /** The UNet of a checkpoint, any layout {@link UNetNames#mapping} knows ({@code layersPerBlock} < 0: inferred for LDM names). */
    public static Weights weights(WeightSource source, int layersPerBlock) {
        return Weights.of("UNet", source, UNetNames.mapping(source, layersPerBlock));
    }

    /** Random F16 weights made on request in {@code arena} (for timing at real sizes without a checkpoint). */
    public static Weights randomWeights(long seed, Arena arena) {
        return Weights.random("UNet", seed, arena);
    }

    /**
     * A whole random UNet checkpoint of config {@code c} in memory, diffusers names, F16 (made as {@link #randomWeights}
     * makes them): full-size weights for benchmarks and for converting without a real checkpoint. Close it to free.
     */
    public static MemoryWeightSource randomCheckpoint(UNetConfig c, long seed) {
        MemoryWeightSource ms = new MemoryWeightSource("random F16 UNet weights, seed " + seed);
        try {
            new UNet2DConditionModel(c, Weights.randomInto("UNet", seed, ms));
        } catch (RuntimeException e) {
            ms.close();
            throw e;
        }
        return ms;
    }

    public UNet2DConditionModel(UNetConfig c, Weights w) {
        warmup = org.synesthesia.kernel.Warmup.start(WARMUP_MILLIS);
        this.config = c;
        int c0 = c.blockOutChannels()[0];
        timeProj = new Timesteps(c0, c.flipSinToCos(), c.freqShift());
        timeEmbedding = new TimestepEmbedding(w, "time_embedding", c0, c.timeEmbedDim());
        classEmbedding = c.classEmbedInputDim() > 0 ? w.linear("class_embedding.weight", c.timeEmbedDim(), c.classEmbedInputDim()) : null;
        classEmbeddingBias = c.classEmbedInputDim() > 0 ? w.vector("class_embedding.bias", c.timeEmbedDim()) : null;
        convIn = Conv2d.load(w, "conv_in", c.inChannels(), c0, 3, 1, 1, true);
        int n = c.levels();
        down = new UNetBlocks.Down[n];
        for (int i = 0; i < n; i++) down[i] = new UNetBlocks.Down(w, c, i);
        mid = new UNetBlocks.Mid(w, c);
        up = new UNetBlocks.Up[n];
        for (int i = 0; i < n; i++) up[i] = new UNetBlocks.Up(w, c, i);
        normOut = GroupNorm.load(w, "conv_norm_out", c0, c.normNumGroups(), c.normEps());
        convOut = Conv2d.load(w, "conv_out", c0, c.outChannels(), 3, 1, 1, true);
    }

    /** Longest JIT warm-up while loading: -Dsynesthesia.warmup.ms (0: none). */
    private static final long WARMUP_MILLIS = Long.getLong("synesthesia.warmup.ms", 10_000);

    public UNetConfig config() { return config; }

    /** One timestep for the whole batch (classifier-free guidance runs uncond and cond as batch 2). */
    public Tensor forward(Tensor sample, float timestep, Tensor encoderHiddenStates, Tracer tracer) {
        return forward(sample, timestep, encoderHiddenStates, null, tracer);
    }

    /** One timestep for the whole batch, with class vectors [N, class_embed_input_dim] (null without class embedding). */
    public Tensor forward(Tensor sample, float timestep, Tensor encoderHiddenStates, Tensor classLabels, Tracer tracer) {
        float[] t = new float[sample.dim(0)];
        Arrays.fill(t, timestep);
        return forward(sample, t, encoderHiddenStates, classLabels, tracer);
    }

    /** {@link #forward(Tensor, float[], Tensor, Tensor, Tracer)} without class vectors (Stable Diffusion). */
    public Tensor forward(Tensor sample, float[] timesteps, Tensor encoderHiddenStates, Tracer tracer) {
        return forward(sample, timesteps, encoderHiddenStates, null, tracer);
    }

    /**
     * @param sample               [N, in_channels, H, W]
     * @param timesteps            one per batch row
     * @param encoderHiddenStates  [N, Lc, cross_attention_dim]; null for a UNet without cross-attention
     * @param classLabels          [N, class_embed_input_dim] (AudioLDM: the CLAP embedding; [N, 1, dim] is accepted
     *                             too); null for a UNet without class embedding
     * @return [N, out_channels, H, W]
     */
    public Tensor forward(Tensor sample, float[] timesteps, Tensor encoderHiddenStates, Tensor classLabels, Tracer tracer) {
        if (sample.rank() != 4 || sample.dim(1) != config.inChannels())
            throw new IllegalArgumentException("unet: sample has shape " + Arrays.toString(sample.shape()) + ", expected [N, " + config.inChannels() + ", H, W]");
        warmup.stop();
        int N = sample.dim(0);
        if (timesteps.length != N) throw new IllegalArgumentException("unet: " + timesteps.length + " timesteps for a batch of " + N);
        float[] ctx = null;
        int Lc = 0;
        if (config.hasCrossAttention()) {
            if (encoderHiddenStates == null || encoderHiddenStates.rank() != 3 || encoderHiddenStates.dim(0) != N
                    || encoderHiddenStates.dim(2) != config.crossAttentionDim())
                throw new IllegalArgumentException("unet: encoder_hidden_states has shape "
                        + (encoderHiddenStates == null ? "none" : Arrays.toString(encoderHiddenStates.shape()))
                        + ", expected [" + N + ", L, " + config.crossAttentionDim() + "]");
            ctx = encoderHiddenStates.contiguous().data();
            Lc = encoderHiddenStates.dim(1);
        } else if (encoderHiddenStates != null) {
            throw new IllegalArgumentException("unet: this UNet has no cross-attention and takes no encoder_hidden_states");
        }

        float[] tp = timeProj.embed(timesteps);
        tracer.capture("time_proj", Tensor.of(tp, N, timeProj.dim()));
        float[] temb = timeEmbedding.forward(tp, N);
        tracer.capture("time_embedding", Tensor.of(temb, N, config.timeEmbedDim()));
        float[] tembSilu = withClassEmbedding(temb, classLabels, N, tracer);
        Act.silu(tembSilu, 0, tembSilu.length); // every resnet's time_emb_proj reads SiLU(temb)

        Tensor h = convIn.forward(sample, tracer);
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
        Tensor norm = normOut.forward(h);
        tracer.capture("conv_norm_out", norm);
        Act.silu(norm.data(), 0, norm.size());
        return convOut.forward(norm, tracer);
    }

    /**
     * The embedding the resnets read, [N, resnetEmbedDim]: a copy of temb [N, D] without class embedding, else with
     * e = class_embedding(y) [N, D] (captured as {@code class_embedding}) either cat([temb, e], -1) per row or temb + e.
     */
    private float[] withClassEmbedding(float[] temb, Tensor classLabels, int N, Tracer tracer) {
        if (classEmbedding == null) {
            if (classLabels != null) throw new IllegalArgumentException("unet: this UNet has no class embedding and takes no class labels");
            return temb.clone();
        }
        int in = config.classEmbedInputDim(), D = config.timeEmbedDim();
        if (classLabels == null || classLabels.size() != (long) N * in || classLabels.dim(0) != N || classLabels.dim(classLabels.rank() - 1) != in)
            throw new IllegalArgumentException("unet: class_labels has shape " + (classLabels == null ? "none" : Arrays.toString(classLabels.shape()))
                    + ", expected [" + N + ", " + in + "]");
        float[] e = Gemm.linear(classLabels.contiguous().data(), N, classEmbedding, classEmbeddingBias);
        tracer.capture("class_embedding", Tensor.of(e, N, D));
        if (!config.classEmbeddingsConcat()) {
            float[] sum = temb.clone();
            Ops.addInPlace(sum, 0, e, 0, sum.length);
            return sum;
        }
        float[] out = new float[N * 2 * D];
        for (int n = 0; n < N; n++) {
            System.arraycopy(temb, n * D, out, n * 2 * D, D);
            System.arraycopy(e, n * D, out, n * 2 * D + D, D);
        }
        return out;
    }
}
