package org.synesthesia.diffusion;

import org.synesthesia.tensor.TorchGenerator;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** The txt2img loop against pipeline_tiny (SD1, epsilon) and pipeline_tiny_sd2 (v-prediction) on a diffusers folder. */
class StableDiffusionPipelineTest {
    static final double LATENTS_TOL = 2e-3, IMAGE_TOL = 1e-4, EMBEDS_TOL = 1e-4;

    @TempDir
    Path tmp;

    static Path folder(String set, Path tmp) throws IOException {
        return set.equals("pipeline_tiny") ? SdTinyFolder.sd1(tmp) : SdTinyFolder.sd2(tmp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipeline_tiny", "pipeline_tiny_sd2"})
    void matchesGoldenStepByStep(String set) throws IOException {
        Map<String, Object> meta = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(folder(set, tmp), null, null, null)) {
            int steps = ((Number) meta.get("num_inference_steps")).intValue();
            double guidance = ((Number) meta.get("guidance_scale")).doubleValue();
            // ids: the tokenizer gives the golden's ids (pad 49407 for SD1, 0 for SD2)
            assertArrayEquals(ints(g.get("cond_input_ids")), p.tokenizer().encodeForModel((String) meta.get("prompt")));
            assertArrayEquals(ints(g.get("uncond_input_ids")), p.tokenizer().encodeForModel((String) meta.get("negative_prompt")));
            Tensor init = g.get("initial_latents");
            var req = new StableDiffusionPipeline.Request((String) meta.get("prompt"), (String) meta.get("negative_prompt"),
                    steps, guidance, init.dim(3) * p.vaeScaleFactor(), init.dim(2) * p.vaeScaleFactor(), 1, 0, init.toArray());
            List<Integer> seen = new ArrayList<>();
            var r = p.generate(req, (k, total, t, lat, x0) -> seen.add(k), true);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), seen);
            float[] ts = ints2f(g.get("timesteps"));
            assertArrayEquals(ts, r.timesteps());
            Assert.close(set + " prompt_embeds", g.get("prompt_embeds"), r.promptEmbeds(), EMBEDS_TOL);
            Assert.close(set + " negative_prompt_embeds", g.get("negative_prompt_embeds"), r.negativePromptEmbeds(), EMBEDS_TOL);
            Tensor lat = g.get("latents"), np = g.get("noise_pred");
            for (int k = 0; k < steps; k++) {
                Assert.close(set + " noise_pred[" + k + "]", np.slice(0, k, k + 1).contiguous().reshape(r.noisePredPerStep().get(k).shape()),
                        r.noisePredPerStep().get(k), LATENTS_TOL);
                Assert.close(set + " latents[" + k + "]", lat.slice(0, k, k + 1).contiguous().reshape(r.latentsPerStep().get(k).shape()),
                        r.latentsPerStep().get(k), LATENTS_TOL);
            }
            Assert.close(set + " final_latents", g.get("final_latents"), r.finalLatents(), LATENTS_TOL);
            Assert.close(set + " image", g.get("image"), r.image(), IMAGE_TOL);
        }
    }

    @Test
    void seedDrawsTheGoldenInitialLatents() throws IOException {
        Map<String, Object> meta = Json.parseObject(Files.readString(SharedData.golden("pipeline_tiny", "golden.json")));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
        long seed = ((Number) meta.get("seed_initial_latents")).longValue();
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(SdTinyFolder.sd1(tmp), null, null, null)) {
            var req = new StableDiffusionPipeline.Request((String) meta.get("prompt"), "", 10, 7.5, 16, 16, 1, seed, null);
            var r = p.generate(req, null);
            assertArrayEquals(g.get("initial_latents").toArray(), r.initialLatents().toArray());
            Assert.close("seeded image", g.get("image"), r.image(), IMAGE_TOL);
        }
    }

    /** A batch of 2 draws one randn [2, 4, h, w]; each image equals the same latents run alone. */
    @Test
    void batchEqualsSingleRuns() throws IOException {
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(SdTinyFolder.sd1(tmp), null, "euler", null)) {
            var both = p.generate(new StableDiffusionPipeline.Request("a red cube", "blurry", 3, 5.0, 64, 48, 2, 7, null), null);
            assertArrayEquals(new int[] {2, 3, 48, 64}, both.image().shape());
            assertEquals(2, p.vaeScaleFactor());
            float[] all = new TorchGenerator(7).randn(2, 4, 24, 32);
            assertArrayEquals(all, both.initialLatents().toArray());
            for (int b = 0; b < 2; b++) {
                float[] one = java.util.Arrays.copyOfRange(all, b * 3072, (b + 1) * 3072);
                var single = p.generate(new StableDiffusionPipeline.Request("a red cube", "blurry", 3, 5.0, 64, 48, 1, 7, one), null);
                Assert.close("batch image " + b, single.image(), both.image().slice(0, b, b + 1).contiguous(), 1e-5);
            }
        }
    }

    @Test
    void rejectsBadRequestsAndModels() {
        assertThrows(IllegalArgumentException.class, () -> new StableDiffusionPipeline.Request("", "", 10, 7.5, 60, 64, 1, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new StableDiffusionPipeline.Request("", "", 0, 7.5, 64, 64, 1, 0, null));
        var e = assertThrows(SynesthesiaException.class, () -> StableDiffusionPipeline.load(tmp.resolve("nope"), null, null, null));
        assertEquals(1, e.getMessage().lines().count());
        var e2 = assertThrows(SynesthesiaException.class, () -> StableDiffusionPipeline.load(tmp, null, null, null));
        assertEquals(1, e2.getMessage().lines().count());
    }

    static int[] ints(Tensor t) {
        float[] f = t.toArray();
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) r[i] = Math.round(f[i]);
        return r;
    }

    static float[] ints2f(Tensor t) {
        return t.toArray();
    }
}
