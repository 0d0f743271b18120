package org.synesthesia.diffusion.scheduler;

/**
 * diffusers {@code Timesteps} / {@code get_timestep_embedding}, computed in float32 as diffusers does:
 * {@code half = dim/2, f_i = exp(-ln(10000) * i / (half - freq_shift))}, {@code a_i = t * f_i},
 * embedding {@code [sin a, cos a]}, or {@code [cos a, sin a]} with flip_sin_to_cos (SD). Odd dims get a zero pad.
 */
public final class Timesteps {
    private final int dim;
    private final boolean flipSinToCos;
    private final float[] freqs;

    public Timesteps(int dim, boolean flipSinToCos, float freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        int half = dim / 2;
        freqs = new float[half];
        float lnMax = (float) -Math.log(10000);
        float denom = half - freqShift;
        for (int i = 0; i < half; i++) freqs[i] = (float) Math.exp((lnMax * (float) i) / denom);
    }

    public int dim() { return dim; }

    /** One embedding row per timestep: [timesteps.length, dim]. */
    public float[] embed(float[] timesteps) {
        int half = freqs.length;
        float[] out = new float[timesteps.length * dim];
        for (int n = 0; n < timesteps.length; n++) {
            int o = n * dim;
            for (int i = 0; i < half; i++) {
                float a = timesteps[n] * freqs[i];
                float s = (float) Math.sin(a), c = (float) Math.cos(a);
                out[o + i] = flipSinToCos ? c : s;
                out[o + half + i] = flipSinToCos ? s : c;
            }
        }
        return out;
    }
}
