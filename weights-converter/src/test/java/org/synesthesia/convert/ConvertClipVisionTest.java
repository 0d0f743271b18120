package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * {@code convert} on the CLIP image encoder golden (clip_vision_random): a transformers folder to every type (f32 and
 * f16 bit for bit the unconverted model's image_embeds, which are within 1e-5 of transformers'), the converted file
 * self-contained (its config stored), and a full CLIPModel giving the same file with its text half left out.
 */
class ConvertClipVisionTest {
    static final String SET = "clip_vision_random";

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static Map<String, Object> config() throws IOException {
        return (Map<String, Object>) Json.parseObject(Files.readString(SharedData.golden(SET, "golden.json"))).get("config_full");
    }

    /** A transformers CLIPVisionModelWithProjection folder: the golden's config.json and a link to its weights. */
    static Path folder(Path f) throws IOException {
        Files.createDirectories(f);
        Files.writeString(f.resolve("config.json"), Json.write(config()));
        Files.createSymbolicLink(f.resolve("model.safetensors"), SharedData.golden(SET, "weights.safetensors").toAbsolutePath());
        return f;
    }

    static Map<String, Tensor> golden() {
        Map<String, Tensor> g = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(SharedData.golden(SET, "golden.safetensors"))) {
            for (String n : List.of("pixel_values", "image_embeds")) g.put(n, st.get(n).toTensor());
        }
        return g;
    }

    static Converter.Result convert(Path input, Path out, TargetType t) throws IOException {
        return Converter.convert(input, out, new Converter.Options(t, 0, List.of(), 0, null, null, Parallel.threads(), false));
    }

    @Test
    void f16FileIsSelfContainedAndGivesTheEmbeds() throws IOException {
        Map<String, Tensor> g = golden();
        Path out = dir.resolve("vision-f16.gguf");
        Converter.Result r = convert(folder(dir.resolve("vision")), out, TargetType.F16);
        assertEquals("clip-vision", r.architecture());
        assertEquals(List.of("vision_model.embeddings.position_ids"), r.dropped());
        assertEquals(40, r.layers().size()); // 3 embeddings, 2 + 2 norms, 16 per layer, the projection
        try (Gguf f = Gguf.open(out)) {
            assertEquals("clip-vision", f.metadata().get("general.architecture"));
            assertEquals(ClipVisionConfig.fromMap(config(), "golden"),
                    ClipVisionConfig.fromMap(Json.parseObject(f.metadata().get(ClipVisionModel.STORED_CONFIG)), "gguf"));
            assertTrue(f.names().contains("visual_projection.weight"));
            assertTrue(f.names().contains("vision_model.pre_layrnorm.weight"));
        }
        Tensor unconverted;
        try (ClipVisionModel m = ClipVisionModel.load(dir.resolve("vision"))) {
            unconverted = m.imageEmbeds(g.get("pixel_values"));
        }
        try (ClipVisionModel m = ClipVisionModel.load(out)) { // the config from the file itself
            assertEquals(ClipVisionConfig.fromMap(config(), "golden"), m.config());
            Tensor e = m.imageEmbeds(g.get("pixel_values"));
            Assert.close("f16 file vs golden", g.get("image_embeds"), e, 1e-5);
            Assert.close("f16 file vs unconverted (fp16-exact golden weights)", unconverted, e, 0);
        }
    }

    /** The vision half of a CLIPModel converts to the same tensors; its text tower is left out. */
    @Test
    void fullClipModelConvertsItsImageEncoder() throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors")));
        all.putAll(SafeTensors.readAll(SharedData.golden(SET, "weights.safetensors")));
        all.put("logit_scale", Tensor.of(new float[] {2.6592f}));
        Path clip = dir.resolve("clip");
        Files.createDirectories(clip);
        SafeTensors.write(clip.resolve("model.safetensors"), all, Map.of());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model_type", "clip");
        cfg.put("projection_dim", 512L);
        cfg.put("text_config", Map.of("hidden_size", 64L, "num_attention_heads", 4L));
        cfg.put("vision_config", config());
        Files.writeString(clip.resolve("config.json"), Json.write(cfg));
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        Converter.Result r = convert(clip, a, TargetType.F32);
        assertEquals("clip-vision", r.architecture());
        assertTrue(r.dropped().contains("text_model.embeddings.token_embedding.weight") && r.dropped().contains("logit_scale"), r.dropped().toString());
        convert(folder(dir.resolve("vision")), b, TargetType.F32);
        try (WeightSource fa = WeightSources.open(a); WeightSource fb = WeightSources.open(b)) {
            assertEquals(List.copyOf(fb.names()), List.copyOf(fa.names()));
            for (String n : fa.names()) assertEquals(0, Assert.maxAbsDiff(fb.get(n).toFloats(), fa.get(n).toFloats()), n);
        }
        Map<String, Tensor> g = golden();
        try (ClipVisionModel m = ClipVisionModel.load(a)) {
            Assert.close("CLIPModel f32 file", g.get("image_embeds"), m.imageEmbeds(g.get("pixel_values")), 1e-5);
        }
    }
}
