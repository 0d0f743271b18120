package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/**
 * CLIP text features ({@code get_text_features}: pooled output times {@code text_projection}) on
 * clip_text_random_gelu: its OpenCLIP single file carries a 64x64 {@code text_projection} P (x @ P); the same matrix
 * stored transposed as Hugging Face's {@code text_projection.weight} beside the Hugging Face weights must give the
 * same features, both equal to the golden {@code pooler_output} times P computed here in double.
 */
class ClipTextProjectionTest {
    @TempDir Path dir;

    /** golden pooler_output [3, 64] @ P [64, p] in double. */
    private static float[] expected(Tensor pooled, Tensor p) {
        int b = pooled.dim(0), d = pooled.dim(1), n = p.dim(1);
        float[] x = pooled.toArray(), w = p.toArray(), y = new float[b * n];
        for (int r = 0; r < b; r++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < d; i++) s += (double) x[r * d + i] * w[i * n + j];
                y[r * n + j] = (float) s;
            }
        return y;
    }

    @Test
    void openClipAndHuggingFaceLayoutsGiveThePooledOutputTimesTheProjection() throws Exception {
        ClipTextParityTest.Golden g = ClipTextParityTest.golden("clip_text_random_gelu");
        Path openClip = SharedData.golden("clip_text_random_gelu", "weights_ldm_openclip.safetensors");
        Tensor p = SafeTensors.readAll(openClip).get("cond_stage_model.model.text_projection");
        float[] want = expected(g.out().get("pooler_output"), p);
        int[] ids = g.ids();
        try (ClipTextModel m = ClipTextModel.load(openClip, g.config())) {
            assertEquals(64, m.projection().orElseThrow().dim());
            Tensor f = m.textFeatures(ids, 3);
            assertEquals(64, f.dim(1));
            Assert.close("OpenCLIP text features", want, f.toArray(), 1e-4, 0);
        }
        Map<String, Tensor> hf = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("clip_text_random_gelu", "weights.safetensors")));
        hf.put("text_projection.weight", p.permute(1, 0).contiguous());
        Path withProj = dir.resolve("clip_with_projection.safetensors");
        SafeTensors.write(withProj, hf, Map.of());
        try (ClipTextModel m = ClipTextModel.load(withProj, g.config())) {
            Assert.close("Hugging Face text features", want, m.textFeatures(ids, 3).toArray(), 1e-4, 0);
            // the pooled row depends only on the tokens up to the end token (causal mask): unpadded ids give the same
            int[] first = java.util.Arrays.copyOf(ids, 77);
            int end = 0;
            while (first[end] != ClipTokenizer.END_OF_TEXT) end++;
            float[] alone = m.textFeatures(java.util.Arrays.copyOf(first, end + 1), 1).toArray();
            Assert.close("unpadded", java.util.Arrays.copyOf(want, 64), alone, 1e-4, 0);
        }
    }

    @Test
    void aTextModelWithoutProjectionHasNoFeatures() {
        ClipTextParityTest.Golden g;
        try {
            g = ClipTextParityTest.golden("clip_text_random_quickgelu");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        try (ClipTextModel m = ClipTextModel.load(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"), g.config())) {
            assertTrue(m.projection().isEmpty());
            String msg = assertThrows(SynesthesiaException.class, () -> m.textFeatures(g.ids(), 3)).getMessage();
            assertTrue(msg.contains("weights.safetensors") && msg.contains("no text_projection"), msg);
        }
    }

    @Test
    void aProjectionOfTheWrongWidthIsOneLine() throws Exception {
        ClipTextParityTest.Golden g = ClipTextParityTest.golden("clip_text_random_quickgelu");
        Map<String, Tensor> hf = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors")));
        hf.put("text_projection.weight", Tensor.zeros(32, 48));
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, hf, Map.of());
        String msg = assertThrows(SynesthesiaException.class, () -> ClipTextModel.load(bad, g.config())).getMessage();
        assertTrue(msg.contains("text_projection.weight") && msg.contains("[projection_dim, 64]"), msg);
    }
}
