package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The CLIP image encoder against transformers' {@code CLIPVisionModelWithProjection} (golden clip_vision_random:
 * row 0 the processor's pixel values of its PNG, row 1 randn), from the stored pixel values.
 */
class ClipVisionParityTest {
    static final String SET = "clip_vision_random";
    /** The golden's tolerance (its recorded fp32-vs-fp64 differences are at most 6.8e-6). */
    static final double TOL = 1e-5;

    @SuppressWarnings("unchecked")
    static ClipVisionConfig config() throws IOException {
        Path json = SharedData.golden(SET, "golden.json");
        Map<String, Object> g = Json.parseObject(Files.readString(json));
        return ClipVisionConfig.fromMap((Map<String, Object>) g.get("config_full"), json.toString());
    }

    static Map<String, Tensor> golden() {
        Path f = SharedData.golden(SET, "golden.safetensors");
        try (SafeTensors st = SafeTensors.open(f)) {
            return Map.of("pixel_values", st.get("pixel_values").toTensor(), "image_embeds", st.get("image_embeds").toTensor(),
                    "last_hidden_state", st.get("last_hidden_state").toTensor(),
                    // named "before pre_layrnorm" in golden.json, but it is transformers' hidden_states[0], the encoder's
                    // input, which is pre_layrnorm's output (LayerNorm of class/patch + position rows matches it to 4e-7)
                    "hidden_states.0", st.get("hidden_states.0_embeddings_before_pre_layrnorm").toTensor());
        }
    }

    static Path weights() {
        return SharedData.golden(SET, "weights.safetensors");
    }

    @Test
    void goldenConfig() throws IOException {
        assertEquals(new ClipVisionConfig(224, 32, 64, 256, 2, 4, 512, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3), config());
        assertEquals(50, config().numPositions());
        assertEquals(config(), ClipVisionConfig.fromMap(config().toMap(), "toMap"));
    }

    @Test
    void imageEmbedsAndHiddenStates() throws IOException {
        Map<String, Tensor> g = golden();
        ClipVisionOutput o;
        Tracer tracer = Tracer.of("vision_model.pre_layrnorm");
        try (WeightSource src = WeightSources.open(weights())) {
            ClipVisionModel m = ClipVisionModel.bind(ClipVisionNames.of(src), config());
            o = m.forward(g.get("pixel_values"), tracer);
        }
        Assert.close("hidden_states.0", g.get("hidden_states.0"), tracer.captured().get("vision_model.pre_layrnorm"), TOL);
        Assert.close("last_hidden_state", g.get("last_hidden_state"), o.lastHiddenState(), TOL);
        Assert.close("image_embeds", g.get("image_embeds"), o.imageEmbeds(), TOL);
        assertEquals(2, o.pooledOutput().dim(0));
        assertEquals(64, o.pooledOutput().dim(1));
        // the two rows differ (a PNG's pixels and randn): the check above is not of a constant
        float[] e = o.imageEmbeds().toArray();
        assertTrue(Assert.maxAbsDiff(java.util.Arrays.copyOfRange(e, 0, 512), java.util.Arrays.copyOfRange(e, 512, 1024)) > 0.1);
    }

    /** The patch embedding, computed as a GEMM on the patches, is nn.Conv2d(3, d, kernel = stride = 32, no bias). */
    @Test
    void patchEmbeddingIsTheConvolution() throws IOException {
        Map<String, Tensor> g = golden();
        Tracer tracer = Tracer.of("vision_model.embeddings.patch_embedding");
        try (WeightSource src = WeightSources.open(weights())) {
            Weights w = ClipVisionNames.of(src);
            ClipVisionModel.bind(w, config()).forward(g.get("pixel_values"), tracer);
            Tensor conv = Conv2d.load(w, "vision_model.embeddings.patch_embedding", 3, 64, 32, 32, 0, false).forward(g.get("pixel_values"));
            Assert.close("patch_embedding", conv, tracer.captured().get("vision_model.embeddings.patch_embedding"), 1e-5);
            // an image side that is not a multiple of the patch: the convolution drops the remainder, so does the GEMM
            ClipVisionConfig c = config();
            ClipVisionConfig odd = new ClipVisionConfig(240, 32, 64, 256, 2, 4, 512, c.activation(), 1e-5f, 3);
            Tensor x = Tensor.zeros(1, 3, 240, 240);
            float[] v = x.data();
            for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(0.37 * i);
            Tracer t2 = Tracer.of("vision_model.embeddings.patch_embedding");
            ClipVisionModel.bind(w, odd).forward(x, t2);
            Assert.close("patch_embedding 240", Conv2d.load(w, "vision_model.embeddings.patch_embedding", 3, 64, 32, 32, 0, false).forward(x),
                    t2.captured().get("vision_model.embeddings.patch_embedding"), 1e-5);
        }
    }

    @Test
    void normalizedEmbedsAndOneImageAtATime() throws IOException {
        Map<String, Tensor> g = golden();
        try (ClipVisionModel m = ClipVisionModel.load(weights(), config())) {
            Tensor n = m.normalizedImageEmbeds(g.get("pixel_values"));
            float[] ref = g.get("image_embeds").toArray(), got = n.toArray();
            for (int r = 0; r < 2; r++) {
                double s = 0, norm = 0;
                for (int i = 0; i < 512; i++) norm += (double) ref[r * 512 + i] * ref[r * 512 + i];
                norm = Math.sqrt(norm);
                for (int i = 0; i < 512; i++) {
                    s += (double) got[r * 512 + i] * got[r * 512 + i];
                    assertEquals(ref[r * 512 + i] / norm, got[r * 512 + i], 1e-6, "normalised row " + r + " element " + i);
                }
                assertEquals(1, s, 1e-5, "row " + r + " has unit norm");
            }
            // one image [3, 224, 224] gives its batch row
            Tensor one = m.imageEmbeds(g.get("pixel_values").slice(0, 1, 2).contiguous().reshape(3, 224, 224));
            Assert.close("row 1 alone", g.get("image_embeds").slice(0, 1, 2).contiguous(), one, TOL);
        }
    }

    @Test
    void wrongPixelShapesAreOneLineErrors() throws IOException {
        try (ClipVisionModel m = ClipVisionModel.load(weights(), config())) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> m.imageEmbeds(Tensor.zeros(1, 3, 200, 224)));
            assertEquals("CLIP vision: pixel_values have shape [1, 3, 200, 224], expected [B, 3, 224, 224] (images resized and cropped to 224x224)", e.getMessage());
            assertThrows(SynesthesiaException.class, () -> m.imageEmbeds(Tensor.zeros(1, 4, 224, 224)));
            assertThrows(SynesthesiaException.class, () -> m.imageEmbeds(Tensor.zeros(224, 224)));
        }
    }
}
