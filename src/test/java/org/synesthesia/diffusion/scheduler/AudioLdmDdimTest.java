package org.synesthesia.diffusion.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.tensor.TorchGenerator;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * AudioLDM's sampler is diffusers' DDIM over AudioLDM's schedule (betas {@code linspace(sqrt(0.0015), sqrt(0.0195))^2}
 * = scaled_linear from 0.0015 to 0.0195, leading spacing with offset 1, alpha_prev of the last step = alphas_cumprod[0]):
 * the golden's 5-step rollouts (eta 1 and eta 0, guidance 2.5 applied to its stored model outputs) give its timesteps,
 * schedule, initial noise (the second latent-sized draw after torch.manual_seed(7171)), injected noise (Generator(7172)) and every x_prev and pred_x0.
 */
class AudioLdmDdimTest {
    static final String SET = "audioldm_random";
    static final Map<String, Object> CONFIG = Map.of("num_train_timesteps", 1000L, "beta_start", 0.0015, "beta_end", 0.0195,
            "beta_schedule", "scaled_linear", "steps_offset", 1L, "set_alpha_to_one", false, "clip_sample", false);

    @Test
    void scheduleAndTimesteps() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        BaseScheduler s = new DdimScheduler(SchedulerConfig.fromMap(CONFIG, "audioldm"), 1.0);
        s.setTimesteps(5);
        assertArrayEquals(new float[] {801, 601, 401, 201, 1}, s.timesteps());
        float[] ac = new float[1000];
        for (int t = 0; t < 1000; t++) ac[t] = s.noiseSchedule().alphaCumprod(t);
        // the reference computes the schedule in float64 and rounds once; ours rounds on the way: one float ulp apart
        Assert.close("alphas_cumprod", g.get("schedule.alphas_cumprod").toArray(), ac, 3e-7, 0);
    }

    @Test
    void rolloutWithEtaOne() {
        rollout("ddim_eta1", 1.0);
    }

    @Test
    void rolloutWithEtaZero() {
        rollout("ddim_eta0", 0.0);
    }

    @Test
    void injectedNoiseIsTorchRandnOfTheSeed() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        int n = 8 * 64 * 16;
        TorchGenerator noise = new TorchGenerator(7172);
        for (int i = 0; i < 5; i++) Assert.close("noise " + i, slice(g.get("ddim_eta1.noise").toArray(), i, n), noise.randn(n), 0, 0);
    }

    private static void rollout(String run, double eta) {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        Scheduler s = new DdimScheduler(SchedulerConfig.fromMap(CONFIG, "audioldm"), eta);
        s.setTimesteps(5);
        int n = 8 * 64 * 16;
        // generate_sample draws one latent-sized tensor before x_T: x_T is the second randn(1, 8, 64, 16) of the seed
        TorchGenerator seed = new TorchGenerator(7171);
        seed.randn(n);
        Assert.close(run + ".x_T", g.get(run + ".x_T").toArray(), seed.randn(n), 0, 0);
        TorchGenerator noise = new TorchGenerator(7172);
        float[] x = g.get(run + ".x_T").toArray();
        float[] cfg = g.get(run + ".model_out_cfg_batch").toArray(); // [5, 2 (uncond, cond), 8, 64, 16]
        float[] xPrev = g.get(run + ".x_prev").toArray(), pred = g.get(run + ".pred_x0").toArray();
        for (int i = 0; i < 5; i++) {
            float[] e = new float[n];
            for (int j = 0; j < n; j++) {
                float u = cfg[(2 * i) * n + j], c = cfg[(2 * i + 1) * n + j];
                e[j] = u + 2.5f * (c - u);
            }
            Scheduler.Step st = s.step(e, i, x, noise);
            Assert.close(run + ".pred_x0 " + i, slice(pred, i, n), st.predOriginalSample(), 2e-5, 1e-5);
            Assert.close(run + ".x_prev " + i, slice(xPrev, i, n), st.prevSample(), 2e-5, 1e-5);
            x = slice(xPrev, i, n); // the golden's own x_prev feeds the next step, so errors do not compound
        }
    }

    private static float[] slice(float[] a, int i, int n) {
        float[] out = new float[n];
        System.arraycopy(a, i * n, out, 0, n);
        return out;
    }
}
