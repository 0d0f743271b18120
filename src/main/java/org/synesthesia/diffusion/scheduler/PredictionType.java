package org.synesthesia.diffusion.scheduler;

import org.synesthesia.util.ConfigNames;

/** What the denoising model predicts (diffusers' {@code prediction_type}). */
public enum PredictionType {
    /** The added noise epsilon (SD 1.x, SD 2.x base). */
    EPSILON,
    /** {@code v = sqrt(abar) * eps - sqrt(1 - abar) * x0} (SD 2.x 768-v). */
    V_PREDICTION,
    /** The clean sample x0 itself. */
    SAMPLE;

    /** The spelling in a scheduler config. */
    public String configName() {
        return ConfigNames.of(this);
    }

    /** The constant spelled {@code name} in a scheduler config, or null when none matches. */
    public static PredictionType byName(String name) {
        return ConfigNames.parse(PredictionType.class, name);
    }
}
