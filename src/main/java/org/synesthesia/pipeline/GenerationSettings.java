package org.synesthesia.pipeline;

import java.nio.file.Path;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Schedulers;

/**
 * How Stable Diffusion makes the images of a prompt.
 *
 * @param negativePrompt the unconditional prompt of classifier-free guidance ("" when null)
 * @param steps          denoising steps
 * @param scheduler      one of {@link Schedulers#NAMES}; null: the model's own (single file: pndm)
 * @param guidance       guidance scale g: n = n_uncond + g (n_cond - n_uncond)
 * @param seed           seed of torch.randn on CPU for the initial latents (diffusers' CPU image)
 * @param width          image width, a multiple of 8; null: the latents' size, else {@link #DEFAULT_SIZE}
 * @param height         image height, likewise
 * @param batch          images of the prompt; null: the latents' count, else 1
 * @param latents        a safetensors file with initial latents [N, C, H/f, W/f] (replacing the seed's); null: none
 * @param prediction     the model's prediction type for a single-file checkpoint; null: the model's own (epsilon)
 * @param previewEvery   every this many steps (and at the last) the first image's x0 estimate is decoded (TAESD, or
 *                       the latent-to-RGB projection without it) and handed to {@link PipelineListener#step}; 0: none
 * @param taesd          TAESD decoder weights for previews; null: {@code LatentPreview}'s linear projection
 * @param eta            DDIM's noise weight (0: deterministic DDIM); other schedulers take only 0
 * @param initImage      img2img: the image whose VAE latents, noised to the strength's timestep, start the denoising;
 *                       null: text-to-image
 * @param strength       img2img: how much of the schedule is run over the image, in [0, 1] (diffusers' strength)
 */
public record GenerationSettings(String negativePrompt, int steps, String scheduler, double guidance, long seed,
                                 Integer width, Integer height, Integer batch, Path latents, PredictionType prediction,
                                 int previewEvery, Path taesd, double eta, Path initImage, double strength) {
    /** img2img's default strength (diffusers'). */
    public static final double DEFAULT_STRENGTH = 0.8;

    /** Text to image with DDIM's eta 0. */
    public GenerationSettings(String negativePrompt, int steps, String scheduler, double guidance, long seed,
                              Integer width, Integer height, Integer batch, Path latents, PredictionType prediction,
                              int previewEvery, Path taesd) {
        this(negativePrompt, steps, scheduler, guidance, seed, width, height, batch, latents, prediction, previewEvery, taesd,
                0, null, DEFAULT_STRENGTH);
    }

    /** Side of the image when neither the settings nor the latents give it. */
    public static final int DEFAULT_SIZE = 512;

    public GenerationSettings {
        if (negativePrompt == null) negativePrompt = "";
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, not " + steps);
        if (!Double.isFinite(guidance)) throw new IllegalArgumentException("guidance must be a finite number, not " + guidance);
        if (scheduler != null && Schedulers.canonical(scheduler) == null)
            throw new IllegalArgumentException("unknown scheduler '" + scheduler + "' (one of " + String.join(", ", Schedulers.NAMES) + ")");
        for (Integer side : new Integer[] {width, height})
            if (side != null && (side <= 0 || side % 8 != 0))
                throw new IllegalArgumentException("width and height must be positive multiples of 8, not " + width + "x" + height);
        if (batch != null && batch < 1) throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        if (previewEvery < 0) throw new IllegalArgumentException("preview interval must be at least 0, not " + previewEvery);
        if (!(eta >= 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta must be a finite number >= 0, not " + eta);
        if (!(strength >= 0 && strength <= 1)) throw new IllegalArgumentException("strength must be in [0, 1], not " + strength);
    }

    /** diffusers' defaults (50 steps, guidance 7.5, 512x512, the model's scheduler) with {@code seed}. */
    public static GenerationSettings defaults(long seed) {
        return new GenerationSettings("", 50, null, 7.5, seed, null, null, null, null, null, 0, null);
    }

    /** A seed for a run that gave none (32 bits, so it prints short and is recorded with the image). */
    public static long randomSeed() {
        return (System.nanoTime() ^ System.currentTimeMillis()) & 0xffffffffL;
    }

    public GenerationSettings withSteps(int n) {
        return new GenerationSettings(negativePrompt, n, scheduler, guidance, seed, width, height, batch, latents, prediction, previewEvery, taesd, eta, initImage, strength);
    }

    public GenerationSettings withSize(Integer w, Integer h) {
        return new GenerationSettings(negativePrompt, steps, scheduler, guidance, seed, w, h, batch, latents, prediction, previewEvery, taesd, eta, initImage, strength);
    }

    public GenerationSettings withScheduler(String name) {
        return new GenerationSettings(negativePrompt, steps, name, guidance, seed, width, height, batch, latents, prediction, previewEvery, taesd, eta, initImage, strength);
    }

    public GenerationSettings withPreviews(int every, Path taesdWeights) {
        return new GenerationSettings(negativePrompt, steps, scheduler, guidance, seed, width, height, batch, latents, prediction, every, taesdWeights, eta, initImage, strength);
    }
}
