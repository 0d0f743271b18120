package org.synesthesia.diffusion.scheduler;

/** How N inference timesteps are picked from the T train timesteps (diffusers' {@code timestep_spacing}). */
public enum TimestepSpacing {
    /** Multiples of {@code T // N} from 0, plus {@code steps_offset}, descending (SD's DDIM/PNDM: 981, 961, ..., 1). */
    LEADING,
    /** {@code linspace(0, T-1, N)} descending (999 ... 0). */
    LINSPACE,
    /** {@code round(arange(T, 0, -T/N)) - 1} (999, ..., T/N - 1). */
    TRAILING;
}
