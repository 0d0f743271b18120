package org.synesthesia.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * The translator against the original scripts' CLIptoCLAP, MSELoss, CosineEmbeddingLoss, SimCLR and torch Adam
 * (golden translator_random: CLIptoCLAP(512, 256, 512), a batch of 8): the forward intermediates, each loss, its
 * gradients (arrays where stored, norms and sums of all six otherwise), and 3 Adam steps (losses before each step,
 * sums and sums of squares of all parameters after each step, the stored parameters after step 3). Every array in
 * golden.safetensors is compared; {@link #everyStoredArrayIsChecked} fails if one is added and not read.
 */
class TranslatorParityTest {
    static final String SET = "translator_random";
    /** fp32 vs fp64 of the reference moves forward.out by 2.2e-8 (max |ref| 0.12); measured: out 2.6e-8, h1 5.1e-8. */
    static final double FORWARD_TOL = 1e-6;
    /** Gradients: relative to each array's largest value (measured: within 5.4e-7 of it). */
    static final double GRAD_REL = 1e-4;
    /**
     * Parameters after Adam steps. Adam's first steps move an element by lr * g / (|g| + 1e-8) whatever the size of g,
     * and fp32 gradients differ from the reference's by about 5e-8 absolute, so an element whose gradient is below
     * about 1e-7 lands anywhere within lr of the reference: elementwise 5% of lr (measured 8.0e-6 worst,
     * contrastive fc3.weight), and the mean |diff| of each array within 1e-8 (measured 9e-10 at most).
     */
    static final double PARAM_TOL = 5e-5, PARAM_MEAN_TOL = 1e-8;
    @TempDir Path dir;

    private final Set<String> read = new HashSet<>();
    private Map<String, Tensor> arrays;

    private float[] get(String name) {
        read.add(name);
        Tensor t = arrays.get(name);
        if (t == null) throw new AssertionError("golden has no array " + name);
        return t.toArray();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> json() throws IOException {
        arrays = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        return Json.parseObject(Files.readString(SharedData.golden(SET, "golden.json")));
    }

    private Translator init() {
        float[][] p = new float[6][];
        for (int i = 0; i < 6; i++) p[i] = get("init." + Translator.NAMES[i]);
        return new Translator(512, 256, 512, p);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static void relClose(String what, double expected, double actual, double rel, double abs) {
        assertTrue(Math.abs(expected - actual) <= abs + rel * Math.abs(expected),
                what + ": " + actual + ", expected " + expected + " (|diff| " + Math.abs(expected - actual) + ")");
    }

    @SuppressWarnings("unchecked")
    @Test
    void forwardLossesGradientsAndAdamMatchTheOriginalScripts() throws IOException {
        Map<String, Object> g = json();
        Translator t = init();
        float[] clip = get("in.clip"), clap = get("in.clap");
        int rows = 8;
        // the golden's target is L2-normalised (in.clap)
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < 512; c++) ss += (double) clap[r * 512 + c] * clap[r * 512 + c];
            relClose("|in.clap row " + r + "|", 1, Math.sqrt(ss), 0, 1e-6);
        }
        for (Kernels k : Kernels.values()) {
            Translator.Activations a = t.forward(clip, rows, k, 0, null);
            Assert.close(k + " forward.in_normalized", get("forward.in_normalized"), a.xn, FORWARD_TOL, 0);
            Assert.close(k + " forward.h1", get("forward.h1"), a.h1, FORWARD_TOL, 0);
            Assert.close(k + " forward.h2", get("forward.h2"), a.h2, FORWARD_TOL, 0);
            Assert.close(k + " forward.pre_norm", get("forward.pre_norm"), a.pre, FORWARD_TOL, 0);
            Assert.close(k + " forward.out", get("forward.out"), a.y, FORWARD_TOL, 0);
        }
        Assert.close("map(row 0)", java.util.Arrays.copyOf(get("forward.out"), 512), t.map(java.util.Arrays.copyOf(clip, 512)), FORWARD_TOL, 0);

        Map<String, Object> lossesJson = (Map<String, Object>) g.get("loss_values_and_grads");
        Map<String, Object> trajectories = (Map<String, Object>) g.get("adam_trajectory");
        for (Loss loss : Loss.values()) {
            String l = loss.id();
            Map<String, Object> lj = (Map<String, Object>) lossesJson.get(l);
            for (Kernels k : Kernels.values()) {
                String what = l + " (" + k + ")";
                Translator.Activations a = t.forward(clip, rows, k, 0, null);
                float[] dy = new float[rows * 512];
                double value = loss.compute(a.y, clap, rows, 512, dy, k);
                relClose(what + " loss", get(l + ".loss")[0], value, 1e-6, 1e-8);
                relClose(what + " loss (json)", ((Number) lj.get("loss")).doubleValue(), value, 1e-6, 1e-8);
                float[][] grads = t.backward(a, dy, k);
                for (int i = 0; i < 6; i++) {
                    String name = Translator.NAMES[i], key = l + ".grad." + name;
                    if (arrays.containsKey(key)) {
                        float[] ref = get(key);
                        Assert.close(what + " " + key, ref, grads[i], GRAD_REL * maxAbs(ref), 0);
                    }
                    double norm = 0, sum = 0;
                    for (float v : grads[i]) { norm += (double) v * v; sum += v; }
                    double refNorm = ((Number) ((Map<String, Object>) lj.get("grad_norms")).get(name)).doubleValue();
                    relClose(what + " |grad " + name + "|", refNorm, Math.sqrt(norm), GRAD_REL, 0);
                    double refSum = ((Number) ((Map<String, Object>) lj.get("grad_sums")).get(name)).doubleValue();
                    relClose(what + " sum(grad " + name + ")", refSum, sum, 0, GRAD_REL * refNorm * Math.sqrt(grads[i].length));
                }
            }
            // 3 Adam steps on the same batch from init
            Translator m = init();
            Adam adam = new Adam(m.parameters(), Adam.Settings.defaults(1e-3));
            float[] losses = get(l + ".adam.losses");
            java.util.List<Object> steps = (java.util.List<Object>) trajectories.get(l);
            for (int s = 0; s < 3; s++) {
                Translator.Activations a = m.forward(clip, rows, Kernels.FAST, 0, null);
                float[] dy = new float[rows * 512];
                double value = loss.compute(a.y, clap, rows, 512, dy, Kernels.FAST);
                Map<String, Object> sj = (Map<String, Object>) steps.get(s);
                relClose(l + " adam loss before step " + (s + 1), losses[s], value, 2e-6, 1e-8);
                relClose(l + " adam loss before step " + (s + 1) + " (json)", ((Number) sj.get("loss_before_step")).doubleValue(), value, 2e-6, 1e-8);
                adam.step(m.backward(a, dy, Kernels.FAST));
                for (int i = 0; i < 6; i++) {
                    String name = Translator.NAMES[i];
                    double sum = 0, sumsq = 0;
                    for (float v : m.parameters()[i]) { sum += v; sumsq += (double) v * v; }
                    double refSum = ((Number) ((Map<String, Object>) sj.get("param_sum_after")).get(name)).doubleValue();
                    double refSq = ((Number) ((Map<String, Object>) sj.get("param_sumsq_after")).get(name)).doubleValue();
                    // the mean |diff| is about 1e-9 (PARAM_TOL's comment): sums of n elements within n * 1e-7
                    int n = m.parameters()[i].length;
                    relClose(l + " step " + (s + 1) + " sum(" + name + ")", refSum, sum, 0, 1e-7 * n);
                    relClose(l + " step " + (s + 1) + " sumsq(" + name + ")", refSq, sumsq, 0, 1e-7 * n);
                }
            }
            for (int i = 0; i < 6; i++) {
                String key = l + ".adam.step3." + Translator.NAMES[i];
                if (!arrays.containsKey(key)) continue;
                float[] ref = get(key), got = m.parameters()[i];
                Assert.close(key, ref, got, PARAM_TOL, 0);
                double mean = 0;
                for (int j = 0; j < ref.length; j++) mean += Math.abs((double) ref[j] - got[j]);
                mean /= ref.length;
                assertTrue(mean <= PARAM_MEAN_TOL, key + ": mean |diff| " + mean);
            }
        }
        everyStoredArrayIsChecked();
    }

    private void everyStoredArrayIsChecked() {
        Set<String> left = new java.util.TreeSet<>(arrays.keySet());
        left.removeAll(read);
        assertEquals(Set.of(), left, "golden arrays not compared");
    }

    @Test
    void loadsTheGoldenInitFromSafetensorsAndWritesItBack() throws IOException {
        json();
        Translator t = init();
        Path f = dir.resolve("t.safetensors");
        t.save(f, Map.of("loss", "mse"));
        Translator back = Translator.load(f);
        assertEquals(256, back.hidden());
        for (int i = 0; i < 6; i++) org.junit.jupiter.api.Assertions.assertArrayEquals(t.parameters()[i], back.parameters()[i]);
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals("256", st.metadata().get("hidden"));
            assertEquals("mse", st.metadata().get("loss"));
        }
    }
}
