package org.synesthesia.audioldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * AudioLDM's generate_sample end to end on audioldm_random (5 DDIM steps, guidance 2.5, seed 7171, the golden's
 * stored cond/uncond vectors, 2.5 s): x_T, every step's guided batch, pred_x0 and x_prev, the final latent, the mel
 * and the waveform, for eta 1 (stochastic, noise from Generator(7172)) and eta 0.
 */
class AudioLdmRolloutTest {
    static final String SET = "audioldm_random";
    /**
     * The guided batch: one UNet call on our own x each step, held to AudioLdmUNetTest's per-call 2e-5 (the
     * reference's fp32 vs fp64 is 5.1e-6 on outputs up to 1.9; measured here at most 8.2e-6 over all 10 steps).
     */
    static final double MODEL_OUT = 2e-5;
    /**
     * pred_x0, x_prev and the final latent, relative to the tensor's max |ref|: pred_x0 = (x - sqrt(1-a) e) / sqrt(a)
     * multiplies the guided output's error (up to 1 + 2 * 2.5 times the UNet's) by sqrt(1-a)/sqrt(a) = 15.5 at t = 801,
     * and the latents grow to |x| ~ 76, where float32 itself spaces values 7.6e-6 apart. Measured at most 2.8e-6 of
     * max |ref| (1.9e-4 absolute); held to 1e-5 of it (golden.json: compare the rollout with a looser tolerance).
     */
    static final double LATENT_REL = 1e-5;
    /** The mel decoded from that latent, held to AudioLdmVaeTest's 2e-5 (measured 7e-6). */
    static final double MEL = 2e-5;
    /** The waveform, held to HifiGanAudioLdmTest's 1e-6 (measured 1.0e-7 at max |ref| 0.17). */
    static final double WAVE = 1e-6;

    @ParameterizedTest
    @CsvSource({"ddim_eta1, 1.0", "ddim_eta0, 0.0"})
    void rolloutMatchesGenerateSample(String run, double eta) {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        float scale = SafeTensors.readAll(SharedData.golden(SET, "buffers.safetensors")).get("scale_factor").toArray()[0];
        List<float[]> cfg = new ArrayList<>(), pred = new ArrayList<>(), prev = new ArrayList<>();
        List<Float> ts = new ArrayList<>();
        AudioLdm.Result r;
        try (AudioLdm m = AudioLdm.load(WeightSources.open(SharedData.golden(SET, "weights.safetensors")), null, scale)) {
            r = m.generate(g.get("in.cond_film"), g.get("in.uncond_film"), 5, 2.5, eta, 7171, AudioLdmDuration.of(2.5),
                    (k, total, t, out, st) -> {
                        ts.add(t);
                        cfg.add(out.clone());
                        pred.add(st.predOriginalSample());
                        prev.add(st.prevSample());
                    });
        }
        assertEquals(List.of(801f, 601f, 401f, 201f, 1f), ts);
        Assert.close(run + ".x_T", g.get(run + ".x_T").toArray(), r.initial().toArray(), 0, 0);
        int n = 8 * 64 * 16;
        for (int i = 0; i < 5; i++) {
            Assert.close(run + ".model_out_cfg_batch " + i, slice(g.get(run + ".model_out_cfg_batch").toArray(), i, 2 * n), cfg.get(i), MODEL_OUT, 0);
            closeRelative(run + ".pred_x0 " + i, slice(g.get(run + ".pred_x0").toArray(), i, n), pred.get(i));
            closeRelative(run + ".x_prev " + i, slice(g.get(run + ".x_prev").toArray(), i, n), prev.get(i));
        }
        System.err.printf("%s: samples %.3g, mel %.3g, waveform %.3g%n", run, Assert.maxAbsDiff(g.get(run + ".samples").toArray(), r.samples().toArray()),
                Assert.maxAbsDiff(g.get(run + ".mel").toArray(), r.mel().toArray()), Assert.maxAbsDiff(g.get(run + ".waveform").toArray(), r.waveform()));
        closeRelative(run + ".samples", g.get(run + ".samples").toArray(), r.samples().toArray());
        assertArrayEquals(new int[] {1, 1, 256, 64}, r.mel().shape());
        Assert.close(run + ".mel", g.get(run + ".mel"), r.mel(), MEL);
        assertEquals(40992, r.waveform().length);
        Assert.close(run + ".waveform", g.get(run + ".waveform").toArray(), r.waveform(), WAVE, 0);
    }

    private static void closeRelative(String what, float[] expected, float[] actual) {
        double max = 0;
        for (float v : expected) max = Math.max(max, Math.abs(v));
        Assert.close(what, expected, actual, LATENT_REL * max, 0);
    }

    private static float[] slice(float[] a, int i, int n) {
        float[] out = new float[n];
        System.arraycopy(a, i * n, out, 0, n);
        return out;
    }
}
