package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** config.json reading (the real SD 1.5 / 2.1 text encoders, the tiny golden) and inference from weights. */
class ClipTextConfigTest {
    @TempDir
    Path dir;

    @Test
    void realConfigs() {
        ClipTextConfig sd15 = ClipTextConfig.fromJson(SharedData.data("configs/sd15/text_encoder/config.json"));
        assertEquals(new ClipTextConfig(49408, 768, 3072, 12, 12, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f), sd15);
        assertEquals(64, sd15.headDim());
        ClipTextConfig sd21 = ClipTextConfig.fromJson(SharedData.data("configs/sd21/text_encoder/config.json"));
        assertEquals(new ClipTextConfig(49408, 1024, 4096, 23, 16, 77, ClipTextConfig.Activation.GELU, 1e-5f), sd21);
        ClipTextConfig tiny = ClipTextConfig.fromJson(SharedData.golden("sd_tiny", "text_encoder/config.json"));
        assertEquals(new ClipTextConfig(49408, 64, 256, 2, 4, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f), tiny);
    }

    @Test
    void inferredFromWeights() {
        try (WeightSource oc = WeightSources.open(SharedData.golden("clip_text_random_gelu", "weights_ldm_openclip.safetensors"));
             WeightSource hf = WeightSources.open(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"))) {
            // heads are not stored: width / 64; the activation follows the naming (OpenCLIP: gelu)
            assertEquals(new ClipTextConfig(49408, 64, 256, 2, 1, 77, ClipTextConfig.Activation.GELU, 1e-5f), ClipTextConfig.infer(ClipNames.of(oc)));
            // Hugging Face names: quick_gelu only at OpenAI's widths (512, 768)
            assertEquals(ClipTextConfig.Activation.GELU, ClipTextConfig.infer(ClipNames.of(hf)).activation());
        }
    }

    @Test
    void badConfigsAreOneLineErrorsNamingTheFile() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"hidden_size\": 64, \"num_attention_heads\": 5, \"hidden_act\": \"quick_gelu\"}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipTextConfig.fromJson(f));
        assertEquals(f + ": CLIP text hidden_size 64 is not a multiple of num_attention_heads 5", e.getMessage());
        Files.writeString(f, "{\"hidden_act\": \"relu\"}");
        e = assertThrows(SynesthesiaException.class, () -> ClipTextConfig.fromJson(f));
        assertTrue(e.getMessage().startsWith(f + ": hidden_act \"relu\""), e.getMessage());
        Files.writeString(f, "{\"num_hidden_layers\": 1.5}");
        e = assertThrows(SynesthesiaException.class, () -> ClipTextConfig.fromJson(f));
        assertEquals(f + ": num_hidden_layers is 1.5, expected a positive integer", e.getMessage());
        Files.writeString(f, "{\"num_hidden_layers\": ");
        e = assertThrows(SynesthesiaException.class, () -> ClipTextConfig.fromJson(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> ClipTextConfig.fromJson(dir.resolve("none.json")));
        assertEquals(dir.resolve("none.json") + ": no such file", e.getMessage());
    }

    @Test
    void badIdsAndLengths() throws IOException {
        ClipTextConfig c = ClipTextParityTest.golden("clip_text_random_quickgelu").config();
        try (ClipTextModel m = ClipTextModel.load(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"), c)) {
            assertThrows(SynesthesiaException.class, () -> m.encode(new int[] {49406, 49408}, 0));
            assertThrows(SynesthesiaException.class, () -> m.encode(new int[] {49406, -1}, 0));
            assertThrows(SynesthesiaException.class, () -> m.encode(new int[78], 0));
            assertThrows(IllegalArgumentException.class, () -> m.encode(new int[7], 2, 0));
            assertThrows(IllegalArgumentException.class, () -> m.encode(new int[7], 3));
        }
    }

    /** A config asking for more layers than the checkpoint holds; fewer is allowed (SD 2.x's 23 of 24). */
    @Test
    void layerCountAgainstCheckpoint() throws IOException {
        ClipTextConfig c = ClipTextParityTest.golden("clip_text_random_gelu").config();
        Path w = SharedData.golden("clip_text_random_gelu", "weights_ldm_openclip.safetensors");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipTextModel.load(w, c.withLayers(3)));
        assertEquals(w + ": has 2 CLIP text layers, the config asks for 3", e.getMessage());
        ClipTextParityTest.Golden g = ClipTextParityTest.golden("clip_text_random_gelu");
        try (ClipTextModel one = ClipTextModel.load(w, c.withLayers(1))) {
            // one layer's last_hidden_state is the two-layer model's penultimate one
            org.synesthesia.testing.Assert.close("1 layer", g.out().get("penultimate_after_final_ln"), one.encode(g.ids(), 3, 0), ClipTextParityTest.TOL);
        }
    }
}
