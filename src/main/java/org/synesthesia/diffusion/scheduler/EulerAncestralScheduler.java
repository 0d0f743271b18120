package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;

/**
 * Euler ancestral sampling (k-diffusion's {@code sample_euler_ancestral}), as diffusers'
 * {@code EulerAncestralDiscreteScheduler}: same noise levels, model input and x0 estimate as {@link EulerDiscreteScheduler};
 * each step goes down to {@code sigma_down} and adds fresh noise of size {@code sigma_up}:
 * <pre>
 *   sigma_up   = sqrt(s_next^2 (s^2 - s_next^2) / s^2),  sigma_down = sqrt(s_next^2 - sigma_up^2)
 *   x' = x + (x - x0)/s * (sigma_down - s) + sigma_up * randn
 * </pre>
 */
public final class EulerAncestralScheduler extends EulerDiscreteScheduler {
    public EulerAncestralScheduler(SchedulerConfig config) {
        super(config);
        if (config.predictionType() == PredictionType.SAMPLE)
            throw SchedulerConfig.bad(config.source(), "euler-a: prediction_type sample is not supported (epsilon or v_prediction)");
    }

    @Override public String name() { return "euler-a"; }

    @Override
    public Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator) {
        if (generator == null) throw new IllegalArgumentException("euler-a needs a generator for its noise");
        beginStep(modelOutput, stepIndex, sample);
        float sigma = sigmas[stepIndex];
        float[] x0 = predictOriginal(modelOutput, sample, sigma);
        float from = sigma, to = sigmas[stepIndex + 1];
        float sigmaUp = sqrt(to * to * (from * from - to * to) / (from * from));
        float sigmaDown = sqrt(to * to - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigma;
        int n = sample.length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float derivative = (sample[i] - x0[i]) / sigma;
            out[i] = sample[i] + derivative * dt;
        }
        float[] noise = generator.randn(n);
        for (int i = 0; i < n; i++) out[i] = out[i] + noise[i] * sigmaUp;
        return new Step(out, x0);
    }
}
