package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Opening the CLIP image encoder as users have it: a transformers folder, a single file (config beside it, given,
 * or inferred), the vision half of a full {@code CLIPModel}; and the one-line errors for a text model and bad configs.
 */
class ClipVisionLoadTest {
    @TempDir
    Path dir;

    /** The golden's CLIPVisionConfig as a {@code config.json} in {@code folder}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> visionConfigJson() throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden(ClipVisionParityTest.SET, "golden.json")));
        return (Map<String, Object>) g.get("config_full");
    }

    static Path folder(Path folder, Map<String, Object> config, Path weights, String file) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), Json.write(config));
        Files.createSymbolicLink(folder.resolve(file), weights.toAbsolutePath());
        return folder;
    }

    static void assertGoldenEmbeds(String what, ClipVisionModel m) {
        Map<String, Tensor> g = ClipVisionParityTest.golden();
        Assert.close(what, g.get("image_embeds"), m.imageEmbeds(g.get("pixel_values")), ClipVisionParityTest.TOL);
    }

    @Test
    void transformersFolder() throws IOException {
        Path f = folder(dir.resolve("clip-vision"), visionConfigJson(), ClipVisionParityTest.weights(), "model.safetensors");
        try (ClipVisionModel m = ClipVisionModel.load(f)) {
            assertEquals(ClipVisionParityTest.config(), m.config());
            assertEquals("CLIP vision (Hugging Face names), 224x224 images, patch 32, 2 layers, width 64, 4 heads, quick_gelu, projection 512", m.description());
            assertGoldenEmbeds("folder", m);
        }
    }

    /** A diffusers pipeline folder (an unCLIP / IP-Adapter layout): its image_encoder/, and a clear line without one. */
    @Test
    void diffusersFolderImageEncoder() throws IOException {
        Path root = dir.resolve("pipe");
        folder(root.resolve("image_encoder"), visionConfigJson(), ClipVisionParityTest.weights(), "model.safetensors");
        Files.writeString(root.resolve("model_index.json"), "{\"_class_name\": \"StableUnCLIPImg2ImgPipeline\", \"image_encoder\": [\"transformers\", \"CLIPVisionModelWithProjection\"]}");
        try (ClipVisionModel m = ClipVisionModel.load(root)) {
            assertEquals("CLIP vision (Hugging Face names), 224x224 images, patch 32, 2 layers, width 64, 4 heads, quick_gelu, projection 512", m.description());
            assertGoldenEmbeds("pipeline image_encoder/", m);
        }
        Path bare = dir.resolve("bare");
        Files.createDirectories(bare);
        Files.writeString(bare.resolve("model_index.json"), "{}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(bare));
        assertEquals(bare + ": a diffusers folder without image_encoder/", e.getMessage());
    }

    @Test
    void singleFileWithConfigBesideOrInferred() throws IOException {
        Path f = folder(dir.resolve("beside"), visionConfigJson(), ClipVisionParityTest.weights(), "image_encoder.safetensors");
        try (ClipVisionModel m = ClipVisionModel.load(f.resolve("image_encoder.safetensors"))) {
            assertGoldenEmbeds("file with config.json beside", m);
        }
        // alone: the shapes from the tensors; heads (width / 64) and the activation (gelu off OpenAI's widths) are assumed
        try (WeightSource src = WeightSources.open(ClipVisionParityTest.weights())) {
            assertEquals(new ClipVisionConfig(224, 32, 64, 256, 2, 1, 512, ClipTextConfig.Activation.GELU, 1e-5f, 3),
                    ClipVisionConfig.infer(ClipVisionNames.of(src)));
        }
        try (ClipVisionModel m = ClipVisionModel.load(ClipVisionParityTest.weights())) {
            assertEquals(1, m.config().numHeads());
            assertEquals(512, m.imageEmbeds(Tensor.zeros(1, 3, 224, 224)).dim(1));
        }
    }

    static final String TEXT_SET = "clip_text_random_quickgelu";

    /**
     * A transformers CLIPModel folder {@code clip}: CLIPConfig (text_config, vision_config, projection_dim 512) and one
     * model.safetensors with the two goldens' towers, text_projection and logit_scale.
     */
    static Path fullClipModel(Path clip) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden(TEXT_SET, "weights.safetensors")));
        all.putAll(SafeTensors.readAll(ClipVisionParityTest.weights()));
        all.put("text_projection.weight", Tensor.zeros(512, 64));
        all.put("logit_scale", Tensor.of(new float[] {2.6592f}));
        Files.createDirectories(clip);
        SafeTensors.write(clip.resolve("model.safetensors"), all, Map.of());
        Map<String, Object> textGolden = Json.parseObject(Files.readString(SharedData.golden(TEXT_SET, "golden.json")));
        Map<String, Object> vision = new LinkedHashMap<>(visionConfigJson());
        vision.put("projection_dim", 768L); // CLIPModel's visual_projection follows the top-level projection_dim
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model_type", "clip");
        cfg.put("projection_dim", 512L);
        cfg.put("text_config", textGolden.get("config"));
        cfg.put("vision_config", vision);
        Files.writeString(clip.resolve("config.json"), Json.write(cfg));
        return clip;
    }

    /** A full CLIPModel (CLIPConfig + text_model.*, text_projection, logit_scale beside the vision tower): each side loads. */
    @Test
    void visionHalfOfAFullClipModel() throws IOException {
        String textSet = TEXT_SET;
        Path clip = fullClipModel(dir.resolve("clip"));
        assertEquals(ClipVisionParityTest.config(), ClipVisionConfig.fromJson(clip.resolve("config.json")));
        try (ClipVisionModel m = ClipVisionModel.load(clip)) {
            assertGoldenEmbeds("CLIPModel vision half", m);
        }
        try (ClipTextModel t = ClipTextModel.load(clip)) {
            Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(textSet, "golden.safetensors"));
            int[] ids = ClipTextParityTest.ints(g.get("input_ids"));
            Assert.close("CLIPModel text half", g.get("last_hidden_state"), t.encode(ids, 3, 0), ClipTextParityTest.TOL);
        }
    }

    @Test
    void aTextModelIsOneClearError() throws IOException {
        Path text = SharedData.golden("clip_text_random_quickgelu", "weights.safetensors");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(text));
        assertEquals(text + " is a CLIP text model, not a vision model", e.getMessage());
        // a transformers text-model folder: its config says so
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("clip_text_random_quickgelu", "golden.json")));
        Map<String, Object> tc = new LinkedHashMap<>(castMap(g.get("config")));
        tc.put("model_type", "clip_text_model");
        Path f = folder(dir.resolve("text"), tc, text, "model.safetensors");
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(f));
        assertTrue(e.getMessage().contains("is a CLIP text model"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionConfig.fromJson(f.resolve("config.json")));
        assertEquals(f.resolve("config.json") + " is a CLIP text model config, not a vision model", e.getMessage());
        // not CLIP at all
        Path unet = SharedData.golden("unet_random_sd1", "weights_diffusers.safetensors");
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(unet));
        assertEquals(unet + ": no CLIP vision transformer (looked for 'vision_model.embeddings.patch_embedding.weight')", e.getMessage());
    }

    @Test
    void badConfigsAreOneLineErrorsNamingTheFile() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"clip_vision_model\", \"hidden_size\": 64, \"num_attention_heads\": 5}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipVisionConfig.fromJson(f));
        assertEquals(f + ": CLIP vision hidden_size 64 is not a multiple of num_attention_heads 5", e.getMessage());
        Files.writeString(f, "{\"model_type\": \"bert\"}");
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionConfig.fromJson(f));
        assertEquals(f + ": model_type \"bert\" is not a CLIP vision model (clip_vision_model or clip)", e.getMessage());
        Files.writeString(f, "{\"hidden_act\": \"relu\"}");
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionConfig.fromJson(f));
        assertTrue(e.getMessage().startsWith(f + ": hidden_act \"relu\""), e.getMessage());
        // an empty config is an error (issue 13), not a silent set of defaults
        Files.writeString(f, "{}");
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionConfig.fromJson(f));
        assertTrue(e.getMessage().startsWith(f + ": empty config"), e.getMessage());
        // defaults are CLIPVisionConfig's (ViT-B/32)
        Files.writeString(f, "{\"model_type\": \"clip_vision_model\"}");
        assertEquals(new ClipVisionConfig(224, 32, 768, 3072, 12, 12, 512, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3), ClipVisionConfig.fromJson(f));
        // a config asking for more layers than the checkpoint holds
        ClipVisionConfig c = ClipVisionParityTest.config();
        ClipVisionConfig three = new ClipVisionConfig(224, 32, 64, 256, 3, 4, 512, c.activation(), 1e-5f, 3);
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(ClipVisionParityTest.weights(), three));
        assertEquals(ClipVisionParityTest.weights() + ": has 2 CLIP vision layers, the config asks for 3", e.getMessage());
        // a wrong projection width names the tensor
        ClipVisionConfig proj = new ClipVisionConfig(224, 32, 64, 256, 2, 4, 768, c.activation(), 1e-5f, 3);
        e = assertThrows(SynesthesiaException.class, () -> ClipVisionModel.load(ClipVisionParityTest.weights(), proj));
        assertTrue(e.getMessage().contains("visual_projection.weight has shape [512, 64], expected [768, 64]"), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
