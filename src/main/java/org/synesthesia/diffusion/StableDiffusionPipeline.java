package org.synesthesia.diffusion;

import org.synesthesia.diffusion.scheduler.DdimScheduler;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Scheduler;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.TorchGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Stable Diffusion 1.x / 2.x text-to-image with classifier-free guidance, as diffusers'
 * {@code StableDiffusionPipeline.__call__}:
 * <pre>
 *   embeds  = cat([text_encoder(uncond_ids)[0] x N, text_encoder(cond_ids)[0] x N])     [2N, 77, d], uncond first
 *   latents = initial_latents * init_noise_sigma                                       [N, 4, H/f, W/f], f = vae_scale_factor
 *   per step k (timestep t):
 *     x = scale_model_input(cat([latents, latents]), k)
 *     n_u, n_c = unet(x, t, embeds).chunk(2)
 *     n = n_u + g * (n_c - n_u)
 *     latents = scheduler.step(n, k, latents, generator).prev_sample
 *   decoded = vae.decode(latents / scaling_factor); image = clamp(decoded / 2 + 0.5, 0, 1)   [N, 3, H, W]
 * </pre>
 * The initial latents are {@code torch.randn([N, 4, H/f, W/f], generator=torch.Generator().manual_seed(seed))} (so a
 * seed gives diffusers' CPU image) unless given. SD 2.x v-prediction comes from the scheduler's config.
 * <p>img2img ({@link InitImage}, as diffusers' {@code StableDiffusionImg2ImgPipeline}):
 * <pre>
 *   n_init  = min(int(steps * strength), steps);  k0 = steps - n_init         (the first step taken)
 *   x0      = vae.encode(image).sample(randn) * scaling_factor                 [N, 4, H/f, W/f], image repeated N times
 *   latents = scheduler.add_noise(x0, randn, timesteps[k0])                    then steps k0 .. end as above
 * </pre>
 * both randn from the seed's generator in that order; n_init 0 (strength 0) decodes x0 itself.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    /** What one image batch is made of. {@code initialLatents} null: drawn from {@code seed}. */
    public record Request(String prompt, String negativePrompt, int steps, double guidanceScale, int width, int height,
                          int batch, long seed, float[] initialLatents) {
        public Request {
            if (prompt == null) prompt = "";
            if (negativePrompt == null) negativePrompt = "";
            if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
            if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0)
                throw new IllegalArgumentException("size " + width + "x" + height + " is not a positive multiple of 8");
            if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
    }

    /** img2img's start: {@code image} [1, 3, H, W] in [-1, 1] at the request's size; {@code strength} in [0, 1]. */
    public record InitImage(Tensor image, double strength) {
        public InitImage {
            if (image.rank() != 4 || image.dim(0) != 1 || image.dim(1) != 3)
                throw new IllegalArgumentException("init image has shape " + java.util.Arrays.toString(image.shape()) + ", expected [1, 3, H, W]");
            if (!(strength >= 0 && strength <= 1)) throw new IllegalArgumentException("strength must be in [0, 1], not " + strength);
        }
    }

    /** Called after each denoising step with the new latents [N, 4, h, w] and the step's x0 estimate (may be null). */
    public interface StepCallback {
        void onStep(int step, int total, float timestep, Tensor latents, Tensor predOriginal);
    }

    /**
     * The outcome: {@code image} [N, 3, H, W] in [0, 1]; the final latents; the per-step latents, unguided/guided
     * noise predictions when recorded.
     */
    public record Result(Tensor image, Tensor finalLatents, Tensor initialLatents, float[] timesteps,
                         List<Tensor> latentsPerStep, List<Tensor> noisePredPerStep, Tensor promptEmbeds,
                         Tensor negativePromptEmbeds) {}

    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet2DConditionModel unet;
    private final WeightSource unetSource;
    private final AutoencoderKL vae;
    private Scheduler scheduler;
    private final int clipSkip;
    private final Integer padId;

    /**
     * Components as given; {@code unetSource} (may be null) is closed with the pipeline, as are the encoder and VAE.
     * {@code padId} null: the tokenizer's own pad id.
     */
    public StableDiffusionPipeline(ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet,
                                   WeightSource unetSource, AutoencoderKL vae, Scheduler scheduler, int clipSkip, Integer padId) {
        this.padId = padId;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.unetSource = unetSource;
        this.vae = vae;
        this.scheduler = scheduler;
        this.clipSkip = clipSkip;
    }

    /**
     * Loads a diffusers pipeline folder ({@code model_index.json}, {@code text_encoder/}, {@code unet/}, {@code vae/},
     * {@code scheduler/}, {@code tokenizer/}) or an SD single-file checkpoint (LDM names; configs inferred from the
     * tensors, or for the UNet from a UNet {@code config.json} beside the file; the SD schedule with {@code prediction} type). {@code tokenizerPath} overrides the folder's tokenizer
     * and is required for a single file; {@code schedulerName} null = the folder's scheduler class (single file: pndm,
     * diffusers' SD default). A converted GGUF ({@code general.architecture = stable-diffusion}, LDM or
     * {@code COMPONENT/NAME} tensor names) carries its configs, scheduler, clip skip and tokenizer ({@link SdGguf});
     * {@code tokenizerPath}, {@code schedulerName} and {@code prediction} override them when given.
     */
    public static StableDiffusionPipeline load(Path model, Path tokenizerPath, String schedulerName, PredictionType prediction) {
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such file or folder");
        boolean folder = Files.isDirectory(model);
        if (folder && !Files.isRegularFile(model.resolve("model_index.json")))
            throw SynesthesiaException.inFile(model, "not a diffusers pipeline folder (no model_index.json)");
        if (!folder && WeightSources.detect(model) == WeightSources.Format.GGUF) {
            WeightSource src = WeightSources.open(model);
            if (SdGguf.isConverted(src)) return loadConverted(src, tokenizerPath, schedulerName, prediction);
            src.close();
        }
        Scheduler sched;
        if (folder) {
            sched = Schedulers.fromFile(model.resolve("scheduler").resolve("scheduler_config.json"), schedulerName);
        } else {
            sched = Schedulers.create(schedulerName == null ? "pndm" : schedulerName,
                    SchedulerConfig.stableDiffusion(prediction == null ? PredictionType.EPSILON : prediction));
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            ClipTextModel te = ClipTextModel.load(model);
            opened.add(te);
            // An SD 2.x single file holds the full 24-layer OpenCLIP text model: SD 2.x uses its penultimate layer
            // and OpenCLIP's tokenizer pads with 0 (diffusers' SD 2.x folders ship 23 layers and a pad-0 tokenizer).
            boolean openClip24 = !folder && te.config().hiddenSize() == 1024 && te.config().numLayers() == 24;
            ClipTokenizer tok = loadTokenizer(model, tokenizerPath, openClip24 ? "sd21" : "sd15");
            int clipSkip = openClip24 ? 1 : 0;
            Integer pad = openClip24 ? ClipTokenizer.PAD_ZERO : null;
            WeightSource src = WeightSources.open(model);
            opened.add(src);
            UNetConfig cfg = null;
            // a folder's unet/config.json; beside a single file a UNet config.json (as `trace` reads it), else inferred
            Path cfgFile = folder ? model.resolve("unet").resolve("config.json")
                    : model.toAbsolutePath().getParent() == null ? null : model.toAbsolutePath().getParent().resolve("config.json");
            // a folder's unet/config.json is the UNet's whatever it holds; a sibling may be another model's
            if (cfgFile != null) cfg = folder ? (Files.exists(cfgFile) ? UNetConfig.read(cfgFile) : null) : UNetConfig.readIfPresent(cfgFile);
            Weights w = UNet2DConditionModel.weights(src, cfg == null ? -1 : cfg.layersPerBlock());
            if (cfg == null) cfg = UNetConfig.inferFrom(w);
            UNet2DConditionModel u = new UNet2DConditionModel(cfg, w);
            AutoencoderKL v = AutoencoderKL.load(model);
            if (!v.hasDecoder()) {
                v.close();
                throw SynesthesiaException.inFile(model, "the VAE has no decoder");
            }
            return new StableDiffusionPipeline(tok, te, u, src, v, sched, clipSkip, pad);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
    }

    /**
     * A converted file ({@link SdGguf}): configs, scheduler, clip skip, pad id and tokenizer from its metadata;
     * {@code tokenizerPath}, {@code schedulerName} and {@code prediction} override theirs when given. The pipeline
     * owns {@code src}.
     */
    static StableDiffusionPipeline loadConverted(WeightSource src, Path tokenizerPath, String schedulerName, PredictionType prediction) {
        try {
            String where = src.description();
            SdGguf.Bundle b = SdGguf.read(src).orElseThrow();
            if (!b.complete())
                throw new SynesthesiaException(where + ": holds only the " + b.components() + " of a Stable Diffusion model; text to image needs the UNet, VAE and text encoder with its tokenizer");
            java.util.Map<String, Object> sc = new java.util.LinkedHashMap<>(b.schedulerConfig());
            if (prediction != null) sc.put("prediction_type", prediction.configName());
            Scheduler sched = Schedulers.fromConfig(sc, schedulerName, where + " (scheduler config)");
            ClipTokenizer tok = tokenizerPath != null ? openTokenizer(tokenizerPath) : b.tokenizer();
            ClipTextModel te = ClipTextModel.bind(org.synesthesia.clip.ClipNames.of(src),
                    org.synesthesia.clip.ClipTextConfig.fromMap(b.textEncoderConfig(), where + " (text encoder config)"));
            UNetConfig cfg = UNetConfig.fromJson(b.unetConfig());
            UNet2DConditionModel u = new UNet2DConditionModel(cfg, UNet2DConditionModel.weights(src, cfg.layersPerBlock()));
            AutoencoderKL v = AutoencoderKL.load(src, VaeConfig.fromMap(b.vaeConfig(), where + " (vae config)"), false);
            if (!v.hasDecoder()) throw new SynesthesiaException(where + ": the VAE has no decoder");
            return new StableDiffusionPipeline(tok, te, u, src, v, sched, b.clipSkip(), b.padId());
        } catch (RuntimeException e) {
            src.close();
            if (e instanceof IllegalArgumentException) throw new SynesthesiaException(src.description() + ": " + e.getMessage());
            throw e;
        }
    }

    /** The environment variable naming a folder of tokenizers ({@code sd15/}, {@code sd21/}, openai's bpe .gz). */
    static final String TOKENIZERS_ENV = "SYNESTHESIA_TOKENIZERS";

    /**
     * The CLIP tokenizer: {@code explicit} (an HF folder with vocab.json + merges.txt, or openai's .gz), else the
     * pipeline folder's {@code tokenizer/}; for a single file a {@code tokenizer/} folder beside it, else
     * {@code $SYNESTHESIA_TOKENIZERS/<flavour>/} (sd15 or sd21) or its {@code bpe_simple_vocab_16e6.txt.gz}.
     */
    static ClipTokenizer loadTokenizer(Path model, Path explicit, String flavour) {
        if (explicit != null) return openTokenizer(explicit);
        if (Files.isDirectory(model)) {
            Path t = model.resolve("tokenizer");
            if (Files.isRegularFile(t.resolve("vocab.json"))) return ClipTokenizer.fromFolder(t);
            throw SynesthesiaException.inFile(model, "no tokenizer/ folder with vocab.json (give --tokenizer PATH)");
        }
        Path dir = model.toAbsolutePath().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve("tokenizer").resolve("vocab.json")))
            return ClipTokenizer.fromFolder(dir.resolve("tokenizer"));
        String env = System.getenv(TOKENIZERS_ENV);
        if (env != null && !env.isBlank()) {
            Path root = Path.of(env);
            if (Files.isRegularFile(root.resolve(flavour).resolve("vocab.json"))) return ClipTokenizer.fromFolder(root.resolve(flavour));
            if (Files.isRegularFile(root.resolve("bpe_simple_vocab_16e6.txt.gz"))) return ClipTokenizer.fromBpeFile(root.resolve("bpe_simple_vocab_16e6.txt.gz"));
        }
        throw SynesthesiaException.inFile(model, "a single-file checkpoint needs a CLIP tokenizer: give --tokenizer PATH, put a tokenizer/ folder beside it, or set "
                + TOKENIZERS_ENV);
    }

    /** A tokenizer from a folder (vocab.json + merges.txt) or openai's bpe .gz file. */
    public static ClipTokenizer openTokenizer(Path p) {
        if (Files.isDirectory(p)) {
            if (!Files.isRegularFile(p.resolve("vocab.json"))) throw SynesthesiaException.inFile(p, "no vocab.json in tokenizer folder");
            return ClipTokenizer.fromFolder(p);
        }
        if (!Files.isRegularFile(p)) throw SynesthesiaException.inFile(p, "no such tokenizer file or folder");
        return ClipTokenizer.fromBpeFile(p);
    }

    public Scheduler scheduler() { return scheduler; }

    /** Replaces the DDIM scheduler by one with noise weight {@code eta} (same config); other schedulers refuse. */
    public void useDdimEta(double eta) {
        if (!(scheduler instanceof DdimScheduler d)) throw new IllegalArgumentException("eta applies to ddim only, the scheduler is " + scheduler.name());
        scheduler = new DdimScheduler(d.config(), eta);
    }

    public UNet2DConditionModel unet() { return unet; }

    public AutoencoderKL vae() { return vae; }

    public ClipTokenizer tokenizer() { return tokenizer; }

    /** A one-line account of the loaded components. */
    public String describe() {
        return textEncoder.description() + "; unet " + java.util.Arrays.toString(unet.config().blockOutChannels()) + "; "
                + vae.description() + "; scheduler " + scheduler.name();
    }

    /** Prompt embeddings [1, 77, d] of {@code text}. */
    public Tensor encodePrompt(String text) {
        int[] ids = padId == null ? tokenizer.encodeForModel(text) : tokenizer.encodeForModel(text, padId);
        return textEncoder.encode(ids, 1, clipSkip);
    }

    /** Pixels per latent along each side: 2^(VAE levels - 1), diffusers' {@code vae_scale_factor} (8 for SD). */
    public int vaeScaleFactor() {
        return 1 << (vae.config().blockOutChannels().length - 1);
    }

    /** The latent shape [N, C, H/f, W/f] of a request, f = {@link #vaeScaleFactor()}. */
    public int[] latentShape(Request r) {
        int f = vaeScaleFactor();
        if (r.width() % f != 0 || r.height() % f != 0)
            throw new IllegalArgumentException("size " + r.width() + "x" + r.height() + " is not a multiple of the VAE's factor " + f);
        return new int[] {r.batch(), unet.config().inChannels(), r.height() / f, r.width() / f};
    }

    /** Runs {@code r}; {@code callback} may be null. */
    public Result generate(Request r, StepCallback callback) {
        return generate(r, callback, false);
    }

    /** Runs {@code r}, keeping the per-step latents and guided noise predictions when {@code record}. */
    public Result generate(Request r, StepCallback callback, boolean record) {
        return generate(r, callback, record, null);
    }

    /**
     * Runs {@code r} from {@code init} (img2img; null: text to image, {@code r}'s initial latents or seed); steps are
     * reported from 1 to the number taken.
     */
    public Result generate(Request r, StepCallback callback, boolean record, InitImage initImage) {
        int n = r.batch();
        if (initImage != null && r.initialLatents() != null) throw new IllegalArgumentException("give initial latents or an init image, not both");
        int[] lshape = latentShape(r);
        int per = lshape[1] * lshape[2] * lshape[3];
        TorchGenerator gen = new TorchGenerator(r.seed());
        float[] init;
        if (initImage != null) {
            init = encodeImage(initImage, n, lshape, gen);
        } else if (r.initialLatents() != null) {
            if (r.initialLatents().length != n * per)
                throw new IllegalArgumentException("initial latents have " + r.initialLatents().length + " values, expected "
                        + n * per + " for " + java.util.Arrays.toString(lshape));
            init = r.initialLatents().clone();
        } else {
            init = gen.randn(lshape);
        }

        // embeds = cat([uncond x N, cond x N])  [2N, T, d]
        Tensor cond = encodePrompt(r.prompt());
        Tensor uncond = encodePrompt(r.negativePrompt());
        Finite.check(cond, "clip text encoder output (prompt embedding)");
        Finite.check(uncond, "clip text encoder output (negative prompt embedding)");
        int T = cond.dim(1), d = cond.dim(2), row = T * d;
        float[] emb = new float[2 * n * row];
        float[] u = uncond.toArray(), c = cond.toArray();
        for (int b = 0; b < n; b++) {
            System.arraycopy(u, 0, emb, b * row, row);
            System.arraycopy(c, 0, emb, (n + b) * row, row);
        }
        Tensor embeds = Tensor.of(emb, 2 * n, T, d);

        scheduler.setTimesteps(r.steps());
        float[] ts = scheduler.timesteps();
        int start = 0;
        float[] latents;
        if (initImage != null) {
            int initSteps = Math.min((int) (r.steps() * initImage.strength()), r.steps());
            start = initSteps == 0 ? ts.length : r.steps() - initSteps;
            if (start < ts.length) {
                latents = scheduler.addNoise(init, gen.randn(lshape), start);
                scheduler.beginAt(start);
            } else {
                latents = init.clone();
            }
        } else {
            float sigma = scheduler.initNoiseSigma();
            latents = new float[init.length];
            for (int i = 0; i < init.length; i++) latents[i] = init[i] * sigma;
        }

        List<Tensor> lat = record ? new ArrayList<>() : null, preds = record ? new ArrayList<>() : null;
        float g = (float) r.guidanceScale();
        int total = n * per;
        for (int k = start; k < ts.length; k++) {
            float[] x2 = new float[2 * total];
            System.arraycopy(latents, 0, x2, 0, total);
            System.arraycopy(latents, 0, x2, total, total);
            float[] in = scheduler.scaleModelInput(x2, k);
            Tensor out = unet.forward(Tensor.of(in, 2 * n, lshape[1], lshape[2], lshape[3]), ts[k], embeds, Tracer.NONE);
            float[] o = out.toArray();
            Finite.check(o, 0, o.length, "unet noise prediction at step " + (k + 1) + " of " + ts.length, Finite.WEIGHTS_HINT);
            float[] guided = new float[total];
            for (int i = 0; i < total; i++) guided[i] = o[i] + g * (o[total + i] - o[i]);
            Scheduler.Step s = scheduler.step(guided, k, latents, gen);
            latents = s.prevSample();
            Finite.check(latents, 0, latents.length, "latents after step " + (k + 1) + " of " + ts.length + " (" + scheduler.name() + ")",
                    "the scheduler's step overflowed");
            if (record) {
                lat.add(Tensor.of(latents.clone(), lshape));
                preds.add(Tensor.of(guided, lshape));
            }
            if (callback != null)
                callback.onStep(k - start + 1, ts.length - start, ts[k], Tensor.of(latents.clone(), lshape),
                        s.predOriginalSample() == null ? null : Tensor.of(s.predOriginalSample().clone(), lshape));
        }
        Tensor finalLatents = Tensor.of(latents, lshape);
        Tensor image = decodeToImage(finalLatents);
        return new Result(image, finalLatents, Tensor.of(init, lshape), ts, lat, preds, cond, uncond);
    }

    /** x0 = vae.encode(image).sample(randn) * scaling_factor for the image repeated {@code n} times, flat [N, 4, h, w]. */
    private float[] encodeImage(InitImage image, int n, int[] lshape, TorchGenerator gen) {
        if (!vae.hasEncoder()) throw new SynesthesiaException(vae.description() + ": the VAE has no encoder; img2img needs it");
        Tensor img = image.image();
        if (img.dim(2) != lshape[2] * vaeScaleFactor() || img.dim(3) != lshape[3] * vaeScaleFactor())
            throw new IllegalArgumentException("init image is " + img.dim(3) + "x" + img.dim(2) + ", the request "
                    + lshape[3] * vaeScaleFactor() + "x" + lshape[2] * vaeScaleFactor());
        float[] one = img.contiguous().toArray();
        float[] batch = new float[n * one.length];
        for (int b = 0; b < n; b++) System.arraycopy(one, 0, batch, b * one.length, one.length);
        org.synesthesia.diffusion.vae.DiagonalGaussian d = vae.encode(Tensor.of(batch, n, 3, img.dim(2), img.dim(3)));
        if (!java.util.Arrays.equals(d.mean().shape(), lshape))
            throw new IllegalArgumentException("the VAE encodes to " + java.util.Arrays.toString(d.mean().shape()) + ", the UNet takes "
                    + java.util.Arrays.toString(lshape));
        float[] z = d.sample(Tensor.of(gen.randn(lshape), lshape)).toArray();
        float s = (float) vae.config().scalingFactor();
        for (int i = 0; i < z.length; i++) z[i] *= s;
        return z;
    }

    /** image = clamp(vae.decode(latents / scaling_factor) / 2 + 0.5, 0, 1), [N, 3, H, W]. */
    public Tensor decodeToImage(Tensor latents) {
        Tensor dec = vae.decodeLatents(latents);
        float[] v = dec.toArray();
        Finite.check(v, 0, v.length, "vae decoder output (image)", Finite.WEIGHTS_HINT);
        for (int i = 0; i < v.length; i++) {
            float x = v[i] / 2f + 0.5f;
            v[i] = x < 0f ? 0f : Math.min(x, 1f);
        }
        return Tensor.of(v, dec.shape());
    }

    @Override
    public void close() {
        textEncoder.close();
        vae.close();
        if (unetSource != null) unetSource.close();
    }
}
