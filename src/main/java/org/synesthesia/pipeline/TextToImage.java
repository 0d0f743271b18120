package org.synesthesia.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.diffusion.StableDiffusionPipeline;
import org.synesthesia.diffusion.vae.LatentPreview;
import org.synesthesia.diffusion.vae.Taesd;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.PillowResize;
import org.synesthesia.image.PngWriter;
import org.synesthesia.image.ResampleFilter;
import org.synesthesia.image.RgbImage;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Text to image with Stable Diffusion 1.x / 2.x ({@link StableDiffusionPipeline}): loads the model (and TAESD for
 * previews), resolves the size and batch from the settings or the initial latents, denoises, decodes, and frees the
 * model before returning the images. Stages: {@link Stage#LOAD_SD}, {@link Stage#LOAD_TAESD} (previews only),
 * {@link Stage#DENOISE} (text encoder and steps, one {@link PipelineListener#step} each), {@link Stage#VAE_DECODE}.
 */
public final class TextToImage extends Job {
    /**
     * The images of one prompt and what made them.
     *
     * @param images    [N, 3, H, W] in [0, 1]
     * @param scheduler the scheduler's name
     * @param width     the images' width (given, or from the latents)
     * @param height    their height
     * @param model     the model's file or folder
     */
    public record Result(Tensor images, String prompt, GenerationSettings settings, String scheduler, int width,
                         int height, Path model, List<StageTime> times) {
        public int count() {
            return images.dim(0);
        }

        /** Image {@code b}, [1, 3, H, W]. */
        public Tensor image(int b) {
            return images.slice(0, b, b + 1).contiguous();
        }

        /** The PNG's {@code parameters} text: the prompt, the negative prompt, then one line of settings. */
        public String parameters() {
            return prompt + "\nNegative prompt: " + settings.negativePrompt() + "\n" + String.format(Locale.ROOT,
                    "Steps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d, Model: %s", settings.steps(), scheduler,
                    number(settings.guidance()), settings.seed(), width, height, model.getFileName())
                    + (settings.eta() > 0 ? ", Eta: " + settings.eta() : "")
                    + (settings.initImage() != null ? ", Denoising strength: " + settings.strength() : "");
        }

        private static String number(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e9 ? String.valueOf((long) d) + ".0" : String.valueOf(d);
        }
    }

    /** {@code caller}: the name one-line errors are about (a command's, e.g. {@code generate}). */
    public TextToImage(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** The images of {@code prompt} (may be empty) with {@code settings}, from the model {@code sd}. */
    public Result generate(ModelFiles sd, String prompt, GenerationSettings settings) {
        Tensor initial = settings.latents() == null ? null : readLatents(settings.latents());
        return generate(sd, prompt, settings, initial, new StageClock(listener));
    }

    Result generate(ModelFiles sd, String prompt, GenerationSettings s, Tensor initial, StageClock clock) {
        RgbImage initImage = null;
        if (s.initImage() != null) {
            if (initial != null) throw new SynesthesiaException(caller + ": give an init image or initial latents, not both");
            try (ImageInput in = new ImageInput()) {
                initImage = in.readFile(s.initImage());
            }
        }
        clock.start(Stage.LOAD_SD);
        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(sd.model(), sd.tokenizer(), s.scheduler(), s.prediction())) {
            clock.finish(Stage.LOAD_SD);
            try (Taesd taesd = s.previewEvery() > 0 && s.taesd() != null ? clock.time(Stage.LOAD_TAESD, () -> Taesd.load(s.taesd())) : null) {
                if (s.eta() > 0) {
                    if (!pipe.scheduler().name().equals("ddim"))
                        throw new SynesthesiaException(caller + ": --eta is DDIM's noise weight; the model's scheduler is "
                                + pipe.scheduler().name() + " (add --scheduler ddim)");
                    pipe.useDdimEta(s.eta());
                }
                if (s.previewEvery() > 0 && taesd == null && pipe.unet().config().inChannels() != LatentPreview.CHANNELS)
                    throw new SynesthesiaException(caller + ": the latent preview needs 4 latent channels; this UNet has "
                            + pipe.unet().config().inChannels() + " (give --taesd PATH)");
                listener.note(pipe.describe());
                StableDiffusionPipeline.Request req = request(pipe, prompt, s, initial, initImage);
                StableDiffusionPipeline.InitImage init = initImage == null ? null
                        : new StableDiffusionPipeline.InitImage(imageTensor(initImage, req.width(), req.height()), s.strength());
                StableDiffusionPipeline.Result r = denoise(pipe, req, s, init, taesd, clock);
                return new Result(r.image(), req.prompt(), s, pipe.scheduler().name(), req.width(), req.height(), sd.model(),
                        clock.times());
            }
        }
    }

    /**
     * The request: size and batch as given, else from the initial latents, else (img2img) the init image's size
     * rounded down to multiples of 8 (and of the VAE factor), else 512x512 and 1.
     */
    private StableDiffusionPipeline.Request request(StableDiffusionPipeline pipe, String prompt, GenerationSettings s, Tensor initial,
                                                    RgbImage initImage) {
        int f = pipe.vaeScaleFactor(), channels = pipe.unet().config().inChannels();
        int width = s.width() == null ? GenerationSettings.DEFAULT_SIZE : s.width();
        int height = s.height() == null ? GenerationSettings.DEFAULT_SIZE : s.height();
        if (initImage != null && s.width() == null && s.height() == null) {
            int m = Math.max(8, f);   // SD sizes are multiples of 8 and of the VAE factor (a power of two)
            width = initImage.width() / m * m;
            height = initImage.height() / m * m;
            if (width == 0 || height == 0)
                throw SynesthesiaException.inFile(s.initImage(), "image " + initImage.width() + "x" + initImage.height() + " is smaller than the VAE factor " + f);
        }
        int batch = s.batch() == null ? 1 : s.batch();
        if (initial != null) {
            int[] sh = initial.shape();
            if (sh.length != 4 || sh[1] != channels || s.batch() != null && sh[0] != s.batch())
                throw SynesthesiaException.inFile(s.latents(), "latents have shape " + Arrays.toString(sh) + ", expected ["
                        + (s.batch() == null ? "N" : s.batch()) + ", " + channels + ", h, w]");
            if ((s.width() != null || s.height() != null) && (sh[2] * f != height || sh[3] * f != width))
                throw SynesthesiaException.inFile(s.latents(), "latents " + sh[2] + "x" + sh[3] + " do not match --width "
                        + width + " --height " + height + " (VAE factor " + f + ")");
            batch = sh[0];
            height = sh[2] * f;
            width = sh[3] * f;
        }
        try {
            StableDiffusionPipeline.Request req = new StableDiffusionPipeline.Request(prompt, s.negativePrompt(), s.steps(),
                    s.guidance(), width, height, batch, s.seed(), initial == null ? null : initial.toArray());
            pipe.latentShape(req);
            return req;
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(caller + ": " + e.getMessage());
        }
    }

    /** Runs the request: {@link Stage#DENOISE} until the last step's latents, then {@link Stage#VAE_DECODE}. */
    private StableDiffusionPipeline.Result denoise(StableDiffusionPipeline pipe, StableDiffusionPipeline.Request req,
                                                   GenerationSettings s, StableDiffusionPipeline.InitImage init, Taesd taesd, StageClock clock) {
        clock.start(Stage.DENOISE);
        long[] last = {System.nanoTime()};
        StableDiffusionPipeline.Result r = pipe.generate(req, (k, total, t, latents, x0) -> {
            long now = System.nanoTime();
            Tensor preview = null;
            if (s.previewEvery() > 0 && (k % s.previewEvery() == 0 || k == total)) {
                Tensor first = (x0 != null ? x0 : latents).slice(0, 0, 1).contiguous();
                preview = taesd != null ? taesd.decode(first) : LatentPreview.project(first);
            }
            listener.step(k, total, (now - last[0]) / 1e9, preview);
            last[0] = now;
            if (k == total) {
                clock.finishAt(Stage.DENOISE, now);
                clock.startAt(Stage.VAE_DECODE, now);
            }
        }, false, init);
        if (clock.running(Stage.DENOISE)) {
            clock.finish(Stage.DENOISE);
            clock.start(Stage.VAE_DECODE);
        }
        clock.finish(Stage.VAE_DECODE);
        return r;
    }

    /**
     * Writes each image of {@code r} as a PNG with its {@code parameters} text chunk: image 0 to {@code out}, image b
     * to {@code out-b.png}; notes each file. Returns the files.
     */
    public List<Path> write(Result r, Path out) {
        String params = r.parameters();
        int n = r.count();
        List<Path> files = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            Path file = b == 0 ? out : PngFiles.sibling(out, "-" + b + ".png");
            Map<String, String> text = new LinkedHashMap<>();
            text.put("parameters", n == 1 ? params : params + ", batch index: " + b + " of " + n);
            text.put("Software", "synesthesia");
            PngWriter.write(file, r.image(b), PngWriter.Range.ZERO_TO_ONE, text);
            listener.note("wrote " + file);
            files.add(file);
        }
        return files;
    }

    /** {@code image} resized (Lanczos, as diffusers' image processor) to width x height, [1, 3, H, W] in [-1, 1]. */
    static Tensor imageTensor(RgbImage image, int width, int height) {
        RgbImage sized = image.width() == width && image.height() == height ? image : PillowResize.resize(image, width, height, ResampleFilter.LANCZOS);
        float[] p = sized.planes();
        for (int i = 0; i < p.length; i++) p[i] = p[i] / 127.5f - 1f;
        return Tensor.of(p, 1, 3, height, width);
    }

    /** Initial latents from a safetensors file: 'initial_latents' or 'latents' of rank 4, else its first tensor. */
    public static Tensor readLatents(Path file) {
        if (!Files.isRegularFile(file)) throw SynesthesiaException.inFile(file, "no such latents file");
        Map<String, Tensor> all = SafeTensors.readAll(file);
        if (all.isEmpty()) throw SynesthesiaException.inFile(file, "holds no tensors");
        for (String k : new String[] {"initial_latents", "latents"}) {
            Tensor t = all.get(k);
            if (t != null && t.rank() == 4) return t;
        }
        return all.values().iterator().next();
    }
}
