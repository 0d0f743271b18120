package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;

/**
 * DDIM (Song et al. 2020), as diffusers' {@code DDIMScheduler}. With {@code a_t = alphas_cumprod[t]} and the previous
 * timestep {@code p = t - T/N} ({@code a_p} = the final alpha past the end):
 * <pre>
 *   x0  = (x - sqrt(1-a_t) eps) / sqrt(a_t)          (epsilon; v: x0 = sqrt(a_t) x - sqrt(1-a_t) v)
 *   var = (1-a_p)/(1-a_t) * (1 - a_t/a_p),  std = eta sqrt(var)
 *   x_p = sqrt(a_p) x0 + sqrt(1 - a_p - std^2) eps  [+ std * noise when eta > 0]
 * </pre>
 * All per-step coefficients and element operations are float32 in the reference's order.
 */
public final class DdimScheduler extends BaseScheduler {
    private final double eta;
    private final boolean setAlphaToOne, clipSample;

    /** @param eta the noise weight: 0 is deterministic DDIM, 1 is DDPM-like ancestral sampling */
    public DdimScheduler(SchedulerConfig config, double eta) {
        super(config);
        config.refuseUnimplemented("ddim", "thresholding", "rescale_betas_zero_snr");
        if (!(eta >= 0)) throw new IllegalArgumentException("ddim: eta must be >= 0, got " + eta);
        this.eta = eta;
        this.setAlphaToOne = config.setAlphaToOne() == null || config.setAlphaToOne();
        this.clipSample = config.clipSample() == null || config.clipSample();
    }

    public DdimScheduler(SchedulerConfig config) {
        this(config, 0.0);
    }

    @Override public String name() { return "ddim"; }

    public double eta() {
        return eta;
    }

    @Override
    protected float[] chooseTimesteps(int n) {
        long[] asc = ascendingTimesteps(n);
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = asc[n - 1 - i];
        return t;
    }

    @Override
    public Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator) {
        if (eta > 0 && generator == null) throw new IllegalArgumentException("ddim: eta > 0 needs a generator for the noise");
        beginStep(modelOutput, stepIndex, sample);
        long t = (long) timesteps[stepIndex];
        long prev = t - config.numTrainTimesteps() / numInferenceSteps;
        float aT = schedule.alphaCumprod((int) t);
        float aPrev = alphaCumprodOrFinal(prev, setAlphaToOne);
        float betaT = 1f - aT;
        float sqrtA = sqrt(aT), sqrtB = sqrt(betaT);
        int n = sample.length;
        float[] x0 = new float[n], eps = new float[n];
        switch (config.predictionType()) {
            case EPSILON -> {
                for (int i = 0; i < n; i++) x0[i] = (sample[i] - sqrtB * modelOutput[i]) / sqrtA;
                System.arraycopy(modelOutput, 0, eps, 0, n);
            }
            case SAMPLE -> {
                System.arraycopy(modelOutput, 0, x0, 0, n);
                for (int i = 0; i < n; i++) eps[i] = (sample[i] - sqrtA * x0[i]) / sqrtB;
            }
            case V_PREDICTION -> {
                for (int i = 0; i < n; i++) {
                    x0[i] = sqrtA * sample[i] - sqrtB * modelOutput[i];
                    eps[i] = sqrtA * modelOutput[i] + sqrtB * sample[i];
                }
            }
        }
        if (clipSample) {
            float r = (float) config.clipSampleRange();
            for (int i = 0; i < n; i++) x0[i] = Math.max(-r, Math.min(r, x0[i]));
        }
        float betaPrev = 1f - aPrev;
        float variance = (betaPrev / betaT) * (1f - aT / aPrev);
        float std = (float) eta * sqrt(variance);
        float dirCoeff = sqrt(1f - aPrev - std * std);
        float sqrtAPrev = sqrt(aPrev);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = sqrtAPrev * x0[i] + dirCoeff * eps[i];
        if (eta > 0) {
            float[] noise = generator.randn(n);
            for (int i = 0; i < n; i++) out[i] = out[i] + std * noise[i];
        }
        return new Step(out, x0);
    }
}
