package org.synesthesia.audioldm;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.clap.ClapNames;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.diffusion.scheduler.DdimScheduler;
import org.synesthesia.diffusion.scheduler.Scheduler;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.tensor.TorchGenerator;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGan;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * One AudioLDM checkpoint (the original {@code .ckpt} state dict, or the same names in safetensors): the UNet
 * ({@code model.diffusion_model.*}, FiLM conditioning on a 512-d CLAP vector), the mel VAE ({@code first_stage_model.*}),
 * its 16 kHz HiFi-GAN ({@code first_stage_model.vocoder.*}), the {@code scale_factor} buffer, and the CLAP text branch
 * ({@code cond_stage_model.model.*}, or from a separate file). {@link #generate} is AudioLDM's
 * {@code LatentDiffusion.generate_sample} for one candidate:
 * <pre>
 *   x_T = the second randn(1, 8, T, 16) of torch.manual_seed(seed)   (T = seconds * 25.6)
 *   for t in DDIM timesteps (1000 // steps spacing, offset 1, descending):
 *       [e_u, e_c] = UNet(cat([x, x]), t, cat([uncond, cond]))
 *       e = e_u + guidance * (e_c - e_u)
 *       x = DDIM step(e, x, eta, noise from Generator(seed + 1))
 *   if max|x| > 100: x = clip(x, -10, 10)
 *   mel = VAE.decode(x / scale_factor)            [1, 1, 4T, 64] log-mel
 *   wave = HiFi-GAN(mel.squeeze(1).permute(0, 2, 1))   [1, 1, 160 * 4T + 32] at 16 kHz
 * </pre>
 * The reference draws the injected noise from the global generator after x_T; here (as in the golden) it comes from
 * a second generator seeded {@code seed + 1}, so a run is reproducible step by step.
 */
public final class AudioLdm implements AutoCloseable {
    public static final int SAMPLE_RATE = 16000;
    public static final double DEFAULT_GUIDANCE = 2.5, DEFAULT_ETA = 1.0;
    public static final int DEFAULT_STEPS = 200;
    static final String UNET_MARK = "model.diffusion_model.film_emb.weight", VOCODER_PREFIX = "first_stage_model.vocoder.";
    /** AudioLDM's schedule: betas linspace(sqrt(0.0015), sqrt(0.0195), 1000)^2, DDIM uniform timesteps + 1, alpha_prev(last) = alphas_cumprod[0]. */
    public static final SchedulerConfig SCHEDULE = SchedulerConfig.fromMap(Map.of("num_train_timesteps", 1000L, "beta_start", 0.0015,
            "beta_end", 0.0195, "beta_schedule", "scaled_linear", "steps_offset", 1L, "set_alpha_to_one", false, "clip_sample", false), "audioldm");

    private final WeightSource source;
    private final ClapTextModel clap;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final HifiGan vocoder;
    private final float scaleFactor;

    /** What {@link #generate} reports after each denoising step: the guided batch [2 (uncond, cond), 8, T, 16] and the DDIM step. */
    @FunctionalInterface
    public interface StepListener {
        StepListener NONE = (k, total, t, cfg, step) -> {};

        void step(int k, int total, float timestep, float[] modelOutCfgBatch, Scheduler.Step step);
    }

    /**
     * One generated sound.
     *
     * @param initial  x_T [1, 8, T, 16]
     * @param samples  the final latent (clipped as generate_sample does) [1, 8, T, 16]
     * @param mel      the decoded log-mel [1, 1, 4T, 64]
     * @param waveform the vocoder's output at 16 kHz (160 samples per mel frame, plus the transposed convolutions' 32)
     */
    public record Result(Tensor initial, Tensor samples, Tensor mel, float[] waveform) {}

    private AudioLdm(WeightSource source, ClapTextModel clap, UNet2DConditionModel unet, AutoencoderKL vae, HifiGan vocoder, float scaleFactor) {
        this.source = source;
        this.clap = clap;
        this.unet = unet;
        this.vae = vae;
        this.vocoder = vocoder;
        this.scaleFactor = scaleFactor;
    }

    /**
     * Opens an AudioLDM checkpoint, a converted file ({@link AudioLdmGguf}) or a diffusers AudioLDMPipeline folder ({@link AudioLdmFolder}); its CLAP text branch comes from {@code clap} when given (a CLAP checkpoint or
     * state dict), else from the checkpoint itself (none there is fine until {@link #clap()} is asked for).
     */
    public static AudioLdm load(Path model, Path clap) {
        if (AudioLdmFolder.isAudioLdmFolder(model)) return AudioLdmFolder.load(model, clap);
        WeightSource src = WeightSources.open(model);
        ClapTextModel text = null;
        try {
            if (AudioLdmGguf.isConverted(src)) return AudioLdmGguf.load(src, clap);
            checkIsAudioLdm(src);
            float scale = scaleFactorOf(src);
            if (clap != null) text = ClapTextModel.load(clap, null);
            else if (ClapNames.isClapText(src.names())) {
                Weights w = ClapNames.of(src);
                text = ClapTextModel.bind(w, ClapTextConfig.infer(w));
            }
            return load(src, text, scale);
        } catch (RuntimeException e) {
            if (text != null) text.close();
            src.close();
            throw e;
        }
    }

    /** The parts over {@code src} (closed with this model, as is {@code clap}, which may be null) and the given scale factor. */
    public static AudioLdm load(WeightSource src, ClapTextModel clap, float scaleFactor) {
        checkIsAudioLdm(src);
        Weights uw = UNet2DConditionModel.weights(src, -1);
        UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.inferFrom(uw), uw);
        AutoencoderKL vae = AutoencoderKL.load(src, null, false);
        if (vae.config().latentChannels() != unet.config().inChannels())
            throw new SynesthesiaException(src.description() + ": the VAE has " + vae.config().latentChannels() + " latent channels but the UNet takes "
                    + unet.config().inChannels());
        StoredTensor pre = src.find(VOCODER_PREFIX + "conv_pre.weight").orElseThrow(() ->
                new SynesthesiaException(src.description() + ": no vocoder in the checkpoint (no " + VOCODER_PREFIX + "conv_pre.weight)"));
        HifiGan gan = HifiGan.load(src, HifiGanConfig.audioldm16k(Math.toIntExact(pre.shape()[0])), false);
        return new AudioLdm(src, clap, unet, vae, gan, scaleFactor);
    }

    /** Parts read elsewhere (a pipeline folder): {@code source} holds the UNet's tensors; the VAE and vocoder own theirs. */
    static AudioLdm of(WeightSource source, ClapTextModel clap, UNet2DConditionModel unet, AutoencoderKL vae, HifiGan vocoder, float scaleFactor) {
        if (vae.config().latentChannels() != unet.config().inChannels())
            throw new SynesthesiaException(source.description() + ": the VAE has " + vae.config().latentChannels() + " latent channels but the UNet takes "
                    + unet.config().inChannels());
        return new AudioLdm(source, clap, unet, vae, vocoder, scaleFactor);
    }

    private static void checkIsAudioLdm(WeightSource src) {
        if (src.find(UNET_MARK).isEmpty())
            throw new SynesthesiaException(src.description() + ": not an AudioLDM checkpoint (no " + UNET_MARK
                    + (src.names().stream().anyMatch(n -> n.contains("attn2.to_k")) ? "; this looks like a Stable Diffusion model" : "") + ")");
    }

    /** The checkpoint's {@code scale_factor} buffer (AudioLDM's latents are divided by it before decoding). */
    public static float scaleFactorOf(WeightSource src) {
        StoredTensor t = src.find("scale_factor").orElseThrow(() -> new SynesthesiaException(src.description()
                + ": no scale_factor tensor (an AudioLDM checkpoint stores it with the weights)"));
        float[] v = t.toFloats();
        if (v.length != 1 || !(v[0] > 0)) throw new SynesthesiaException(src.description() + ": scale_factor must be one positive number");
        return v[0];
    }

    public boolean hasClap() {
        return clap != null;
    }

    public ClapTextModel clap() {
        if (clap == null) throw new SynesthesiaException(source.description() + ": no CLAP text branch in it (cond_stage_model.model.*); give the CLAP weights separately");
        return clap;
    }

    public UNet2DConditionModel unet() { return unet; }

    public AutoencoderKL vae() { return vae; }

    public HifiGan vocoder() { return vocoder; }

    public float scaleFactor() { return scaleFactor; }

    public String describe() {
        UNetConfig c = unet.config();
        return String.format(Locale.ROOT, "AudioLDM %s: UNet widths %s, VAE %d latent channels, vocoder %d channels, scale factor %.6g%s",
                source.description(), java.util.Arrays.toString(c.blockOutChannels()), vae.config().latentChannels(),
                vocoder.config().upsampleInitialChannel(), scaleFactor, clap == null ? "" : "; " + clap.description());
    }

    /**
     * generate_sample for one candidate.
     *
     * @param cond     the CLAP embedding of the prompt, 512 values ([1, 512] or [1, 1, 512])
     * @param uncond   the CLAP embedding of "" (or of a negative prompt)
     */
    public Result generate(Tensor cond, Tensor uncond, int steps, double guidance, double eta, long seed, AudioLdmDuration duration,
                           StepListener listener) {
        if (steps < 1 || steps > 1000) throw new SynesthesiaException("audioldm: steps must be 1..1000, not " + steps);
        int dim = cond.size();
        if (uncond.size() != dim) throw new SynesthesiaException("audioldm: cond has " + dim + " values but uncond " + uncond.size());
        Finite.check(cond, "audioldm conditioning (clap or translator embedding)");
        Finite.check(uncond, "audioldm unconditional embedding");
        int C = unet.config().inChannels(), T = duration.latentFrames(), F = 16, n = C * T * F;
        TorchGenerator g = new TorchGenerator(seed);
        g.randn(n); // generate_sample draws one latent-sized tensor before x_T
        float[] x = g.randn(n);
        Tensor initial = Tensor.of(x.clone(), 1, C, T, F);
        TorchGenerator noise = new TorchGenerator(seed + 1);
        float[] labels = new float[2 * dim];
        System.arraycopy(uncond.toArray(), 0, labels, 0, dim);
        System.arraycopy(cond.toArray(), 0, labels, dim, dim);
        Tensor classLabels = Tensor.of(labels, 2, dim);
        Scheduler s = new DdimScheduler(SCHEDULE, eta);
        s.setTimesteps(steps);
        float[] ts = s.timesteps();
        for (int k = 0; k < ts.length; k++) {
            float[] in = s.scaleModelInput(x, k), batch = new float[2 * n];
            System.arraycopy(in, 0, batch, 0, n);
            System.arraycopy(in, 0, batch, n, n);
            float[] out = unet.forward(Tensor.of(batch, 2, C, T, F), ts[k], null, classLabels, Tracer.NONE).toArray();
            Finite.check(out, 0, out.length, "audioldm unet noise prediction at step " + (k + 1) + " of " + ts.length, Finite.WEIGHTS_HINT);
            float[] e = new float[n];
            float w = (float) guidance;
            for (int j = 0; j < n; j++) e[j] = out[j] + w * (out[n + j] - out[j]);
            Scheduler.Step st = s.step(e, k, x, noise);
            listener.step(k, ts.length, ts[k], out, st);
            x = st.prevSample();
        }
        clipIfDiverged(x);
        Tensor samples = Tensor.of(x, 1, C, T, F);
        Tensor mel = decode(samples);
        return new Result(initial, samples, mel, vocode(mel));
    }

    /** generate_sample's guard: samples whose max |x| exceeds 100 are clipped to [-10, 10]. */
    static void clipIfDiverged(float[] x) {
        float max = 0;
        for (float v : x) max = Math.max(max, Math.abs(v));
        if (max > 100) for (int i = 0; i < x.length; i++) x[i] = Math.max(-10f, Math.min(10f, x[i]));
    }

    /** decode_first_stage: VAE.decode(z / scale_factor), [1, 8, T, 16] -> log-mel [1, 1, 4T, 64]. */
    public Tensor decode(Tensor latent) {
        float[] z = latent.toArray().clone();
        for (int i = 0; i < z.length; i++) z[i] /= scaleFactor;
        Tensor mel = vae.decode(Tensor.of(z, latent.shape()));
        Finite.check(mel, "audioldm vae decoder output (mel)");
        return mel;
    }

    /** mel_spectrogram_to_waveform: [1, 1, frames, 64] -> the vocoder on [1, 64, frames]. */
    public float[] vocode(Tensor mel) {
        Tensor m = mel.reshape(1, mel.dim(2), mel.dim(3)).permute(0, 2, 1).contiguous();
        float[] wave = vocoder.forward(m).toArray();
        Finite.check(wave, "audioldm vocoder output (waveform)");
        return wave;
    }

    @Override
    public void close() {
        try {
            if (clap != null) clap.close();
        } finally {
            vocoder.close();
            vae.close();
            source.close();
        }
    }
}
