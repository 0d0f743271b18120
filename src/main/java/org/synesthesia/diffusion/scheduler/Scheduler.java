package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;

/**
 * A diffusion sampler, separate from any model, in the manner of diffusers' schedulers. Use:
 * <pre>
 *   s.setTimesteps(n);
 *   float[] x = noise * s.initNoiseSigma();
 *   for (int k = 0; k &lt; s.timesteps().length; k++) {
 *       float[] in = s.scaleModelInput(x, k);
 *       float[] out = model(in, s.timesteps()[k]);
 *       x = s.step(out, k, x, generator).prevSample();
 *   }
 * </pre>
 * Steps are addressed by their index k in {@link #timesteps()} (timesteps may repeat, as PNDM's do, and Euler's
 * are fractional). Multistep schedulers keep history, so steps must be taken in order 0, 1, 2, ... after
 * {@link #setTimesteps}; anything else is an {@link IllegalStateException}. Arrays are flat float32 latents of any
 * shape; a step never modifies its arguments.
 */
public interface Scheduler {
    /** The short name: {@code ddim}, {@code pndm}, {@code euler}, {@code euler-a} or {@code dpm++}. */
    String name();

    /** Chooses the timesteps for {@code numInferenceSteps} denoising steps and resets any history. */
    void setTimesteps(int numInferenceSteps);

    /** The timestep passed to the model at each step (as float: Euler's are fractional); one entry per model call. */
    float[] timesteps();

    /** The standard deviation of the initial noise: latents start as {@code randn * initNoiseSigma()} (1 for DDPM-style schedulers). */
    default float initNoiseSigma() {
        return 1f;
    }

    /** The model input for step {@code stepIndex}: the sample itself, or scaled (Euler: {@code x / sqrt(sigma^2 + 1)}). */
    float[] scaleModelInput(float[] sample, int stepIndex);

    /**
     * One denoising step from the model's output at step {@code stepIndex}.
     *
     * @param generator the noise source for stochastic steps (DDIM with eta > 0, Euler ancestral); may be null for
     *     deterministic ones. Noise is drawn as {@code torch.randn(sample.shape, generator=g)}, as diffusers does.
     */
    Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator);

    /**
     * img2img's start (diffusers' {@code add_noise} at {@code timesteps[stepIndex]}): the clean sample x0 noised to
     * that step, {@code sqrt(a_t) x0 + sqrt(1 - a_t) noise} (a_t = alphas_cumprod[t]), or for sigma-parameterised
     * schedulers (Euler) {@code x0 + sigma_k noise}.
     */
    float[] addNoise(float[] original, float[] noise, int stepIndex);

    /**
     * Starts sampling at step {@code stepIndex} instead of 0 (diffusers' {@code set_begin_index}, img2img): call
     * after {@link #setTimesteps}; multistep history starts empty there.
     */
    void beginAt(int stepIndex);

    /** A step's result: the next sample and, where the method computes one, its estimate of the clean sample x0 (else null). */
    record Step(float[] prevSample, float[] predOriginalSample) {}
}
