package org.synesthesia.diffusion.scheduler;

/** How the training noise levels {@code beta_t} are laid out over the train timesteps (diffusers' {@code beta_schedule}, spelled as the lower-case constant name, {@link org.synesthesia.util.ConfigNames}). */
public enum BetaSchedule {
    /** {@code linspace(beta_start, beta_end, T)}. */
    LINEAR,
    /** {@code linspace(sqrt(beta_start), sqrt(beta_end), T)^2}: Stable Diffusion's schedule. */
    SCALED_LINEAR,
    /** The cosine schedule: {@code beta_i = min(1 - abar((i+1)/T) / abar(i/T), 0.999)}, {@code abar(t) = cos((t+0.008)/1.008 * pi/2)^2}. */
    SQUAREDCOS_CAP_V2;
}
