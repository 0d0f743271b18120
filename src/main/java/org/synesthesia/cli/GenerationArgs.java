package org.synesthesia.cli;

import java.nio.file.Path;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.util.SynesthesiaException;

/**
 * Stable Diffusion's options as {@code generate} (all of them) and {@code speak} (all but {@code --batch},
 * {@code --preview-every} and {@code --taesd}) read them; {@link #settings} checks them after {@link Args#finish()}.
 */
record GenerationArgs(String negative, int steps, String scheduler, double guidance, long seed, Integer width,
                      Integer height, Integer batch, Path latents, String prediction, int previewEvery, Path taesd,
                      double eta, Path initImage, double strength) {
    /** sd-cli's spellings of {@code generate}'s options, where they do not clash with ours. */
    static final java.util.Map<String, String> SD_CLI_ALIASES = java.util.Map.ofEntries(
            java.util.Map.entry("-p", "prompt"), java.util.Map.entry("-n", "negative"),
            java.util.Map.entry("--negative-prompt", "negative"), java.util.Map.entry("-s", "seed"),
            java.util.Map.entry("-o", "out"), java.util.Map.entry("--output", "out"), java.util.Map.entry("-H", "height"),
            java.util.Map.entry("-W", "width"), java.util.Map.entry("-m", "model"), java.util.Map.entry("--cfg-scale", "guidance"),
            java.util.Map.entry("--sampling-method", "scheduler"), java.util.Map.entry("--sample-steps", "steps"),
            java.util.Map.entry("-i", "image"), java.util.Map.entry("--init-img", "image"), java.util.Map.entry("-b", "batch"),
            java.util.Map.entry("--batch-count", "batch"));

    /** The options; {@code full}: also --batch, --preview-every, --taesd, --image and --strength. A missing --seed draws one. */
    static GenerationArgs read(Args a, boolean full) {
        String negative = a.get("negative", "");
        int steps = a.getInt("steps", 50);
        String scheduler = a.get("scheduler", null);
        double guidance = a.getDouble("guidance", 7.5);
        long seed = a.has("seed") ? a.getLong("seed", 0) : GenerationSettings.randomSeed();
        boolean sizeGiven = a.has("width") || a.has("height");
        int width = a.getInt("width", GenerationSettings.DEFAULT_SIZE), height = a.getInt("height", GenerationSettings.DEFAULT_SIZE);
        Integer batch = full && a.has("batch") ? a.getInt("batch", 1) : null;
        Path latents = a.path("latents");
        int previewEvery = full ? a.getInt("preview-every", 0) : 0;
        Path taesd = full ? a.path("taesd") : null;
        String prediction = a.get("prediction-type", null);
        double eta = a.getDouble("eta", 0);
        Path image = full ? a.path("image") : null;
        double strength = full ? a.getDouble("strength", GenerationSettings.DEFAULT_STRENGTH) : GenerationSettings.DEFAULT_STRENGTH;
        if (full && a.has("strength") && image == null) a.require("image");
        return new GenerationArgs(negative, steps, scheduler, guidance, seed, sizeGiven ? width : null, sizeGiven ? height : null,
                batch, latents, prediction, previewEvery, taesd, eta, image, strength);
    }

    /** The settings; one-line errors name the option and {@code command}. */
    GenerationSettings settings(String command) {
        if (steps < 1) throw new SynesthesiaException(command + ": --steps must be at least 1, not " + steps);
        if (width != null && (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0))
            throw new SynesthesiaException(command + ": --width and --height must be positive multiples of 8, not " + width + "x" + height);
        if (!Double.isFinite(guidance)) throw new SynesthesiaException(command + ": --guidance must be a finite number");
        String sched = scheduler == null ? null : Schedulers.canonical(scheduler);
        if (scheduler != null && sched == null)
            throw new SynesthesiaException(command + ": unknown scheduler '" + scheduler + "' (choose one of " + String.join(", ", Schedulers.NAMES) + ")");
        if (!(eta >= 0) || Double.isInfinite(eta)) throw new SynesthesiaException(command + ": --eta must be a finite number >= 0, not " + eta);
        if (eta > 0 && sched != null && !sched.equals("ddim"))
            throw new SynesthesiaException(command + ": --eta is DDIM's noise weight; add --scheduler ddim (not " + sched + ")");
        if (!(strength >= 0 && strength <= 1)) throw new SynesthesiaException(command + ": --strength must be between 0 and 1, not " + strength);
        if (initImage != null && !java.nio.file.Files.isRegularFile(initImage)) throw SynesthesiaException.inFile(initImage, "no such image file");
        if (initImage != null && latents != null) throw new SynesthesiaException(command + ": give --image or --latents, not both");
        PredictionType type = null;
        if (prediction != null) {
            type = PredictionType.byName(prediction.equals("v") ? "v_prediction" : prediction);
            if (type == null) throw new SynesthesiaException(command + ": --prediction-type must be epsilon or v_prediction, not '" + prediction + "'");
        }
        if (batch != null && batch < 1) throw new SynesthesiaException(command + ": --batch must be at least 1, not " + batch);
        if (previewEvery < 0) throw new SynesthesiaException(command + ": --preview-every must be at least 0, not " + previewEvery);
        return new GenerationSettings(negative, steps, sched, guidance, seed, width, height, batch, latents, type, previewEvery,
                taesd, eta, initImage, strength);
    }
}
