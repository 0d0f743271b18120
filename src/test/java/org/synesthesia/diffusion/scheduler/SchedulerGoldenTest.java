package org.synesthesia.diffusion.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * Parity with diffusers 0.25.1 (golden {@code schedulers}): the schedule, the timesteps (exactly) and a full
 * rollout with the golden's fake model {@code eps = 0.9 x + 0.1 sin(x + k)}, every step within 1e-5.
 */
class SchedulerGoldenTest {
    /** The golden's fp32-vs-fp64 spread is at most 3.1e-6; the README suggests 1e-5 for a Java port. */
    static final double TOL = 1e-5;
    static Map<String, Object> json;
    static Map<String, Tensor> arrays;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        json = Json.parseObject(Files.readString(SharedData.golden("schedulers", "golden.json")));
        arrays = SafeTensors.readAll(SharedData.golden("schedulers", "golden.safetensors"));
    }

    @Test
    void noiseScheduleIsBitExact() {
        NoiseSchedule s = NoiseSchedule.of(SchedulerConfig.stableDiffusion(PredictionType.EPSILON));
        assertArrayEquals(arrays.get("betas").toArray(), s.betas(), "betas");
        assertArrayEquals(arrays.get("alphas_cumprod").toArray(), s.alphasCumprod(), "alphas_cumprod (fp32, as diffusers)");
        // the fp64 formula differs by up to 4.7e-7: the golden follows the fp32 one
        assertTrue(Assert.maxAbsDiff(arrays.get("alphas_cumprod_fp64").toArray(), s.alphasCumprod()) < 1e-6);
        assertEquals(0.9991499781608582f, s.finalAlphaCumprod(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim.50", "ddim.20", "pndm.50", "pndm.20", "euler.50", "euler.20", "dpmpp2m.50", "dpmpp2m.20", "ddim_vpred.50", "ddim_vpred.20"})
    @SuppressWarnings("unchecked")
    void rolloutMatchesDiffusers(String key) {
        Map<String, Object> entry = (Map<String, Object>) ((Map<String, Object>) json.get("schedulers")).get(key);
        Map<String, Object> config = (Map<String, Object>) entry.get("config");
        String cls = (String) entry.get("class");
        Scheduler s = Schedulers.fromConfig(config, Schedulers.forClassName(cls), "golden " + key);
        int n = Integer.parseInt(key.substring(key.indexOf('.') + 1));
        s.setTimesteps(n);

        float[] ts = s.timesteps();
        assertArrayEquals(arrays.get(key + ".timesteps").toArray(), ts, key + ": timesteps");
        assertEquals(((Number) entry.get("n_model_calls")).intValue(), ts.length);
        assertEquals(((Number) entry.get("init_noise_sigma")).floatValue(), s.initNoiseSigma(), key + ": init_noise_sigma");
        if (arrays.containsKey(key + ".sigmas")) {
            float[] sig = s instanceof EulerDiscreteScheduler e ? e.sigmas() : ((DpmSolverMultistepScheduler) s).sigmas();
            assertArrayEquals(arrays.get(key + ".sigmas").toArray(), sig, key + ": sigmas");
        }

        float[] x0 = arrays.get("x0").toArray();
        float[] lat = new float[x0.length];
        for (int i = 0; i < lat.length; i++) lat[i] = x0[i] * s.initNoiseSigma();
        Assert.close(key + " start_latents", arrays.get(key + ".start_latents").toArray(), lat, TOL, 0);

        float[][] inputs = steps(key + ".model_input"), outputs = steps(key + ".model_output"), prev = steps(key + ".prev_sample");
        float[][] orig = arrays.containsKey(key + ".pred_original_sample") ? steps(key + ".pred_original_sample") : null;
        double worst = 0;
        for (int k = 0; k < ts.length; k++) {
            float[] in = s.scaleModelInput(lat, k);
            float[] eps = fakeModel(in, k);
            Scheduler.Step st = s.step(eps, k, lat, null);
            Assert.close(key + " step " + k + " model_input", inputs[k], in, TOL, 0);
            Assert.close(key + " step " + k + " model_output", outputs[k], eps, TOL, 0);
            Assert.close(key + " step " + k + " prev_sample", prev[k], st.prevSample(), TOL, 0);
            if (orig != null) Assert.close(key + " step " + k + " pred_original_sample", orig[k], st.predOriginalSample(), TOL, 0);
            worst = Math.max(worst, Assert.maxAbsDiff(prev[k], st.prevSample()));
            lat = st.prevSample();
        }
        System.out.printf("%s: max |prev_sample - golden| over all steps %.3g%n", key, worst);
    }

    /** The golden's model: {@code 0.9 x + 0.1 sin(x + k)}, float32. */
    static float[] fakeModel(float[] x, int k) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = 0.9f * x[i] + 0.1f * (float) Math.sin(x[i] + (float) k);
        return out;
    }

    private static float[][] steps(String name) {
        Tensor t = arrays.get(name);
        int n = t.dim(0), per = t.size() / n;
        float[] all = t.toArray();
        float[][] out = new float[n][];
        for (int k = 0; k < n; k++) out[k] = Arrays.copyOfRange(all, k * per, (k + 1) * per);
        return out;
    }
}
