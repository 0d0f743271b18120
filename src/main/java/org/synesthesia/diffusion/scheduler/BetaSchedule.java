package org.synesthesia.diffusion.scheduler;

/** How the training noise levels {@code beta_t} are laid out over the train timesteps (diffusers' {@code beta_schedule}). */
public enum BetaSchedule {
    /** {@code linspace(beta_start, beta_end, T)}. */
    LINEAR("linear"),
    /** {@code linspace(sqrt(beta_start), sqrt(beta_end), T)^2}: Stable Diffusion's schedule. */
    SCALED_LINEAR("scaled_linear"),
    /** The cosine schedule: {@code beta_i = min(1 - abar((i+1)/T) / abar(i/T), 0.999)}, {@code abar(t) = cos((t+0.008)/1.008 * pi/2)^2}. */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String configName;

    BetaSchedule(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The schedule named {@code name} in a scheduler config, or null when none matches. */
    public static BetaSchedule byName(String name) {
        for (BetaSchedule b : values()) if (b.configName.equals(name)) return b;
        return null;
    }
}
