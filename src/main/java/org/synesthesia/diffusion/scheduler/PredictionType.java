package org.synesthesia.diffusion.scheduler;

/** What the denoising model predicts (diffusers' {@code prediction_type}). */
public enum PredictionType {
    /** The added noise epsilon (SD 1.x, SD 2.x base). */
    EPSILON("epsilon"),
    /** {@code v = sqrt(abar) * eps - sqrt(1 - abar) * x0} (SD 2.x 768-v). */
    V_PREDICTION("v_prediction"),
    /** The clean sample x0 itself. */
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static PredictionType byName(String name) {
        for (PredictionType p : values()) if (p.configName.equals(name)) return p;
        return null;
    }
}
