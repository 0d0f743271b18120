package org.synesthesia.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;

/**
 * The tiny models {@code embed} is tested on, in folders under a temporary directory: {@code clip/} holds
 * clip_text_random_quickgelu's weights plus a random fp16-exact {@code text_projection.weight} [512, 64] (the golden
 * is a bare CLIPTextModel) with its {@code config.json}; {@code clap/} holds clap_text_random's weights with its RoBERTa
 * config; {@code vision/} holds clip_vision_random (CLIPVisionModelWithProjection) with its {@code config.json}.
 * Tokenizers: sd15 (CLIP) and roberta-base from the shared data.
 */
public record EmbedModels(Path clip, Path clap, Path clipTokenizer, Path roberta, Path vision) {
    public static final int PROJECTION = 512;

    @SuppressWarnings("unchecked")
    public static EmbedModels under(Path dir) throws IOException {
        Path clipDir = Files.createDirectories(dir.resolve("clip")), clapDir = Files.createDirectories(dir.resolve("clap"));
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("clip_text_random_quickgelu", "golden.json")));
        ClipTextConfig cc = ClipTextConfig.fromMap((Map<String, Object>) g.get("config"), "golden.json");
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors")));
        SplittableRandom r = new SplittableRandom(1207);
        float[] p = new float[PROJECTION * cc.hiddenSize()];
        for (int i = 0; i < p.length; i++) p[i] = Float.float16ToFloat(Float.floatToFloat16((float) ((2 * r.nextDouble() - 1) / 8)));
        w.put("text_projection.weight", Tensor.of(p, PROJECTION, cc.hiddenSize()));
        Path clip = clipDir.resolve("model.safetensors");
        SafeTensors.write(clip, w, Map.of());
        Files.writeString(clipDir.resolve("config.json"), Json.write(cc.toMap()), StandardCharsets.UTF_8);

        Map<String, Object> gc = Json.parseObject(Files.readString(SharedData.golden("clap_text_random", "golden.json")));
        ClapTextConfig ac = ClapTextConfig.fromMap((Map<String, Object>) gc.get("roberta_config"), "golden.json");
        Path clap = clapDir.resolve("model.safetensors");
        Files.copy(SharedData.golden("clap_text_random", "weights.safetensors"), clap);
        Files.writeString(clapDir.resolve("config.json"), Json.write(ac.toMap()), StandardCharsets.UTF_8);

        Path visionDir = Files.createDirectories(dir.resolve("vision"));
        Map<String, Object> gv = Json.parseObject(Files.readString(SharedData.golden("clip_vision_random", "golden.json")));
        ClipVisionConfig vc = ClipVisionConfig.fromMap((Map<String, Object>) gv.get("config_full"), "golden.json");
        Files.copy(SharedData.golden("clip_vision_random", "weights.safetensors"), visionDir.resolve("model.safetensors"));
        Files.writeString(visionDir.resolve("config.json"), Json.write(vc.toMap()), StandardCharsets.UTF_8);
        return new EmbedModels(clip, clap, SharedData.data("tokenizers/sd15"), SharedData.data("tokenizers/roberta-base"), visionDir);
    }
}
