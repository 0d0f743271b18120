package org.synesthesia.diffusion.scheduler;

/**
 * The training noise schedule shared by every scheduler: {@code betas[T]} and {@code alphas_cumprod[t] = prod_{i<=t}
 * (1 - betas[i])}, both float32 exactly as diffusers builds them on a CPU (betas from PyTorch's float32 linspace,
 * the cumulative product accumulated in double and rounded per element, as {@code torch.cumprod} does).
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        float[] alphas = new float[betas.length];
        for (int i = 0; i < alphas.length; i++) alphas[i] = 1f - betas[i];
        this.alphasCumprod = Numerics.torchCumprod(alphas);
    }

    public static NoiseSchedule of(SchedulerConfig c) {
        int t = c.numTrainTimesteps();
        if (c.trainedBetas() != null) return new NoiseSchedule(c.trainedBetas().clone());
        return new NoiseSchedule(switch (c.betaSchedule()) {
            case LINEAR -> Numerics.torchLinspace((float) c.betaStart(), (float) c.betaEnd(), t);
            case SCALED_LINEAR -> {
                float[] b = Numerics.torchLinspace((float) Math.sqrt(c.betaStart()), (float) Math.sqrt(c.betaEnd()), t);
                for (int i = 0; i < t; i++) b[i] = b[i] * b[i];
                yield b;
            }
            case SQUAREDCOS_CAP_V2 -> {
                float[] b = new float[t];
                for (int i = 0; i < t; i++) {
                    double t1 = (double) i / t, t2 = (double) (i + 1) / t;
                    b[i] = (float) Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                }
                yield b;
            }
        });
    }

    /** {@code cos((t + 0.008) / 1.008 * pi / 2)^2}. */
    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** {@code alphas_cumprod[t]}. */
    public float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** The value used past the last step: 1 when {@code setAlphaToOne}, else {@code alphas_cumprod[0]}. */
    public float finalAlphaCumprod(boolean setAlphaToOne) {
        return setAlphaToOne ? 1f : alphasCumprod[0];
    }

    /** The Karras-style noise levels {@code sigma_t = sqrt((1 - abar_t) / abar_t)}, float32, ascending in t. */
    public float[] sigmas() {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) s[i] = (float) Math.sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
        return s;
    }
}
