package org.synesthesia.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.synesthesia.util.Json;

/**
 * Builds the golden's tiny diffusers pipeline folder in a temporary directory: the shared {@code sd_tiny/} folder's
 * weight "symlinks" may arrive as small text files holding the relative link target, so configs and tokenizer files
 * are copied and real symbolic links made to the golden weight files those texts (or real links) name.
 */
public final class SdTinyFolder {
    private SdTinyFolder() {}

    /** The SD 1.x folder of {@code sd_tiny} (pipeline_tiny's components) under {@code dir}. */
    public static Path sd1(Path dir) throws IOException {
        Path src = SharedData.golden("sd_tiny", "model_index.json").getParent();
        Path out = dir.resolve("sd_tiny");
        Files.createDirectories(out);
        Files.copy(src.resolve("model_index.json"), out.resolve("model_index.json"));
        copy(src.resolve("scheduler/scheduler_config.json"), out.resolve("scheduler/scheduler_config.json"));
        for (String part : List.of("text_encoder", "unet", "vae"))
            copy(src.resolve(part).resolve("config.json"), out.resolve(part).resolve("config.json"));
        link(out.resolve("text_encoder/model.safetensors"), target(src.resolve("text_encoder/model.safetensors")));
        link(out.resolve("unet/diffusion_pytorch_model.safetensors"), target(src.resolve("unet/diffusion_pytorch_model.safetensors")));
        link(out.resolve("vae/diffusion_pytorch_model.safetensors"), target(src.resolve("vae/diffusion_pytorch_model.safetensors")));
        copyTokenizer(target(src.resolve("tokenizer")), out.resolve("tokenizer"));
        return out;
    }

    /**
     * The SD 2.x folder of pipeline_tiny_sd2: clip_text_random_gelu, unet_random_sd2 (config from its golden's
     * config_args), vae_random, the DDIM v-prediction scheduler config from pipeline_tiny_sd2's golden.json, and the
     * SD 2.1 tokenizer (pad "!").
     */
    @SuppressWarnings("unchecked")
    public static Path sd2(Path dir) throws IOException {
        Path sd1 = SharedData.golden("sd_tiny", "model_index.json").getParent();
        Path out = dir.resolve("sd_tiny_sd2");
        Files.createDirectories(out);
        Files.copy(sd1.resolve("model_index.json"), out.resolve("model_index.json"));
        Map<String, Object> pipe = Json.parseObject(Files.readString(SharedData.golden("pipeline_tiny_sd2", "golden.json")));
        Map<String, Object> sched = new LinkedHashMap<>((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) pipe.get("components")).get("scheduler")).get("config"));
        sched.put("_class_name", "DDIMScheduler");
        write(out.resolve("scheduler/scheduler_config.json"), sched);
        Map<String, Object> clip = Json.parseObject(Files.readString(SharedData.golden("clip_text_random_gelu", "golden.json")));
        write(out.resolve("text_encoder/config.json"), (Map<String, Object>) clip.get("config"));
        Map<String, Object> unet = Json.parseObject(Files.readString(SharedData.golden("unet_random_sd2", "golden.json")));
        Map<String, Object> ucfg = new LinkedHashMap<>((Map<String, Object>) unet.get("config_args"));
        ucfg.put("_class_name", "UNet2DConditionModel");
        write(out.resolve("unet/config.json"), ucfg);
        copy(sd1.resolve("vae/config.json"), out.resolve("vae/config.json"));
        link(out.resolve("text_encoder/model.safetensors"), SharedData.golden("clip_text_random_gelu", "weights.safetensors"));
        link(out.resolve("unet/diffusion_pytorch_model.safetensors"), SharedData.golden("unet_random_sd2", "weights_diffusers.safetensors"));
        link(out.resolve("vae/diffusion_pytorch_model.safetensors"), SharedData.golden("vae_random", "weights_diffusers.safetensors"));
        copyTokenizer(SharedData.data("tokenizers/sd21"), out.resolve("tokenizer"));
        return out;
    }

    /** Where a shared link points: a real link is followed; a small text file holds the relative target. */
    static Path target(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) return p.toRealPath();
        if (Files.isDirectory(p)) return p;
        String rel = Files.readString(p).strip();
        return p.getParent().resolve(rel).normalize().toAbsolutePath();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    private static void link(Path at, Path target) throws IOException {
        Files.createDirectories(at.getParent());
        if (!Files.isRegularFile(target)) throw new IOException("golden weight file missing: " + target);
        Files.createSymbolicLink(at, target.toAbsolutePath());
    }

    private static void copyTokenizer(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) if (Files.isRegularFile(f)) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    private static void write(Path file, Map<String, Object> m) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Json.write(m));
    }

    /** pipeline_tiny's {@code initial_latents} written to {@code dir/init.safetensors}. */
    public static Path initialLatents(Path dir) throws IOException {
        Path lat = dir.resolve("init.safetensors");
        var golden = org.synesthesia.io.SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
        org.synesthesia.io.SafeTensors.write(lat, java.util.Map.of("initial_latents", golden.get("initial_latents")), java.util.Map.of());
        return lat;
    }
}
