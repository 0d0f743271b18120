package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;

/**
 * Euler's method on the probability-flow ODE in sigma space (Karras et al. 2022, Algorithm 2 without churn), as
 * diffusers' {@code EulerDiscreteScheduler}. The N noise levels are {@code sigma(t) = sqrt((1-a_t)/a_t)}
 * interpolated linearly at the (possibly fractional) timesteps, then 0. The model sees {@code x / sqrt(sigma^2+1)};
 * a step is
 * <pre>
 *   x0 = x - sigma eps      (v: x0 = v * (-sigma/sqrt(sigma^2+1)) + x/(sigma^2+1); sample: x0 = output)
 *   x' = x + (x - x0)/sigma * (sigma_next - sigma)
 * </pre>
 */
public class EulerDiscreteScheduler extends BaseScheduler {
    protected float[] sigmas;

    public EulerDiscreteScheduler(SchedulerConfig config) {
        super(config);
        config.refuseUnimplemented(name(), "use_karras_sigmas", "interpolation_type", "timestep_type", "rescale_betas_zero_snr", "sigma_min", "sigma_max");
    }

    @Override public String name() { return "euler"; }

    /** The N+1 noise levels of the current timesteps (the last is 0). */
    /** Euler's noise is sigma-scaled: x = x0 + sigma_k noise (the model input is scaled by {@link #scaleModelInput}). */
    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        requireIndex(stepIndex);
        checkNoise(original, noise);
        float sigma = sigmas[stepIndex];
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = original[i] + sigma * noise[i];
        return out;
    }

    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    protected float[] chooseTimesteps(int n) {
        TimestepSpacing spacing = config.timestepSpacing() == null ? TimestepSpacing.LINSPACE : config.timestepSpacing();
        int train = config.numTrainTimesteps();
        float[] t = new float[n];
        switch (spacing) {
            case LINSPACE -> {
                double[] l = Numerics.numpyLinspace(0, train - 1, n);
                for (int i = 0; i < n; i++) t[i] = (float) l[n - 1 - i];
            }
            case LEADING -> {
                int ratio = train / n;
                for (int i = 0; i < n; i++) t[i] = (float) ((long) (n - 1 - i) * ratio) + config.stepsOffset();
            }
            case TRAILING -> {
                double[] a = Numerics.numpyArange(train, 0, -(double) train / n);
                if (a.length != n) throw outOfSchedule("trailing spacing gives " + a.length + " timesteps for " + n + " steps");
                for (int i = 0; i < n; i++) t[i] = (float) Numerics.roundHalfEven(a[i]) - 1f;
            }
        }
        for (float x : t)
            if (x < 0 || x > train - 1) throw outOfSchedule(timestepOutside(x, n));
        float[] trainSigmas = schedule.sigmas();
        sigmas = new float[n + 1];
        for (int i = 0; i < n; i++) sigmas[i] = (float) Numerics.interpOnIndexGrid(t[i], trainSigmas);
        sigmas[n] = 0f;
        return t;
    }

    @Override
    public float initNoiseSigma() {
        requireTimesteps();
        float max = 0f;
        for (float s : sigmas) max = Math.max(max, s);
        TimestepSpacing spacing = config.timestepSpacing() == null ? TimestepSpacing.LINSPACE : config.timestepSpacing();
        if (spacing == TimestepSpacing.LINSPACE || spacing == TimestepSpacing.TRAILING) return max;
        return sqrt(max * max + 1f);
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        requireIndex(stepIndex);
        float sigma = sigmas[stepIndex];
        float d = sqrt(sigma * sigma + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sample[i] / d;
        return out;
    }

    /** x0 from the model output at noise level sigma. */
    protected float[] predictOriginal(float[] modelOutput, float[] sample, float sigma) {
        int n = sample.length;
        float[] x0 = new float[n];
        switch (config.predictionType()) {
            case EPSILON -> {
                for (int i = 0; i < n; i++) x0[i] = sample[i] - sigma * modelOutput[i];
            }
            case V_PREDICTION -> {
                float s2 = sigma * sigma + 1f;
                float c = -sigma / sqrt(s2);
                for (int i = 0; i < n; i++) x0[i] = modelOutput[i] * c + sample[i] / s2;
            }
            case SAMPLE -> System.arraycopy(modelOutput, 0, x0, 0, n);
        }
        return x0;
    }

    @Override
    public Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator) {
        beginStep(modelOutput, stepIndex, sample);
        float sigma = sigmas[stepIndex];
        float[] x0 = predictOriginal(modelOutput, sample, sigma);
        float dt = sigmas[stepIndex + 1] - sigma;
        int n = sample.length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float derivative = (sample[i] - x0[i]) / sigma;
            out[i] = sample[i] + derivative * dt;
        }
        return new Step(out, x0);
    }
}
