package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.util.SynesthesiaException;

/**
 * Stable Diffusion's options as {@code generate} (all of them) and {@code speak} (all but {@code --batch},
 * {@code --preview-every} and {@code --taesd}) read them; {@link #settings} checks them after {@link Args#finish()}.
 */
record GenerationArgs(String negative, int steps, String scheduler, double guidance, long seed, Integer width,
                      Integer height, Integer batch, Path latents, String prediction, int previewEvery, Path taesd) {
    /** The options; {@code full}: also --batch, --preview-every and --taesd. A missing --seed draws one. */
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
        return new GenerationArgs(negative, steps, scheduler, guidance, seed, sizeGiven ? width : null, sizeGiven ? height : null,
                batch, latents, prediction, previewEvery, taesd);
    }

    /** The settings; one-line errors name the option and {@code command}. */
    GenerationSettings settings(String command) {
        if (steps < 1) throw new SynesthesiaException(command + ": --steps must be at least 1, not " + steps);
        if (width != null && (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0))
            throw new SynesthesiaException(command + ": --width and --height must be positive multiples of 8, not " + width + "x" + height);
        if (!Double.isFinite(guidance)) throw new SynesthesiaException(command + ": --guidance must be a finite number");
        if (scheduler != null && !Schedulers.NAMES.contains(scheduler.toLowerCase(Locale.ROOT)))
            throw new SynesthesiaException(command + ": unknown scheduler '" + scheduler + "' (choose one of " + String.join(", ", Schedulers.NAMES) + ")");
        PredictionType type = null;
        if (prediction != null) {
            type = PredictionType.byName(prediction.equals("v") ? "v_prediction" : prediction);
            if (type == null) throw new SynesthesiaException(command + ": --prediction-type must be epsilon or v_prediction, not '" + prediction + "'");
        }
        if (batch != null && batch < 1) throw new SynesthesiaException(command + ": --batch must be at least 1, not " + batch);
        if (previewEvery < 0) throw new SynesthesiaException(command + ": --preview-every must be at least 0, not " + previewEvery);
        if (previewEvery > 0 && taesd == null)
            throw new SynesthesiaException(command + ": --preview-every needs --taesd PATH (TAESD decoder weights)");
        return new GenerationSettings(negative, steps, scheduler, guidance, seed, width, height, batch, latents, type, previewEvery, taesd);
    }
}
