package org.synesthesia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Scheduler;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.unet.UNetFamily;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.diffusion.vae.VaeFamily;
import org.synesthesia.image.ImageProcessorConfig;
import org.synesthesia.testing.SharedData;
import org.synesthesia.text.BpeFiles;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGanConfig;
import org.synesthesia.whisper.WhisperConfig;

/**
 * Issue 13 item 6: every config field the engine uses is checked where the file is read; a bad one is a one-line
 * {@link SynesthesiaException} naming the file and the field, never an internal error; tokenizer ids are checked
 * before anything is sized by them.
 */
class ConfigValidationTest {
    @TempDir
    Path dir;

    /** Writes {@code base} with {@code key} set to {@code value} and expects {@code reader} to refuse it naming file and key. */
    private void refused(String name, Map<String, Object> base, String key, Object value, Function<Path, ?> reader) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, Json.write(m));
        oneLine(() -> reader.apply(f), f.getFileName().toString(), key);
    }

    private static void oneLine(Executable e, String... mentions) {
        SynesthesiaException ex = assertThrows(SynesthesiaException.class, e);
        String msg = ex.getMessage();
        assertEquals(1, msg.lines().count(), msg);
        for (String s : mentions) assertTrue(msg.contains(s), "'" + s + "' not in: " + msg);
    }

    // --- the reproducers

    @Test
    void unetNormGroupsZeroAndNegativeChannels() throws IOException {
        Map<String, Object> sd1 = UNetConfig.sd1().toMap();
        refused("unet/config.json", sd1, "norm_num_groups", 0L, UNetConfig::read);
        refused("unet/config.json", sd1, "block_out_channels", List.of(-320L, 640L, 1280L, 1280L), UNetConfig::read);
        refused("unet/config.json", sd1, "attention_head_dim", List.of(8L, 0L, 8L, 8L), UNetConfig::read);
        refused("unet/config.json", sd1, "layers_per_block", 0L, UNetConfig::read);
        refused("unet/config.json", sd1, "in_channels", -4L, UNetConfig::read);
        refused("unet/config.json", sd1, "norm_eps", -1.0, UNetConfig::read);
        refused("unet/config.json", sd1, "sample_size", 1L << 40, UNetConfig::read);
        refused("unet/config.json", sd1, "down_block_types", List.of(7L, "DownBlock2D"), UNetConfig::read);
        // AudioLDM's class embedding width
        Map<String, Object> ldm = UNetConfig.audioLdm(32).toMap();
        refused("unet/config.json", ldm, "projection_class_embeddings_input_dim", -512L, UNetConfig::read);
    }

    @Test
    void schedulerStepsOffsetBeyondTheTrainingSchedule() throws IOException {
        Map<String, Object> ddim = SchedulerConfig.stableDiffusion(PredictionType.EPSILON).toMap("DDIMScheduler");
        refused("scheduler/scheduler_config.json", ddim, "steps_offset", 10000L, f -> Schedulers.fromFile(f, null));
        refused("scheduler/scheduler_config.json", ddim, "beta_end", -0.5, f -> Schedulers.fromFile(f, null));
        refused("scheduler/scheduler_config.json", ddim, "num_train_timesteps", 1L << 40, f -> Schedulers.fromFile(f, null));
    }

    @Test
    void timestepsPastTheScheduleAreOneLineNamingTheConfig() throws IOException {
        // steps_offset 999 of 1000 is a valid config, but 2 leading steps would reach timestep 1499
        Map<String, Object> ddim = new LinkedHashMap<>(SchedulerConfig.stableDiffusion(PredictionType.EPSILON).toMap("DDIMScheduler"));
        ddim.put("steps_offset", 999L);
        ddim.put("timestep_spacing", "leading");
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, Json.write(ddim));
        Scheduler s = Schedulers.fromFile(f, null);
        oneLine(() -> s.setTimesteps(2), "scheduler_config.json", "steps_offset");
    }

    @Test
    void vocabularyIdsNegativeShiftedOrRepeated() throws IOException {
        Path v = dir.resolve("vocab.json");
        Files.writeString(v, "{\"a\": 0, \"b\": -5}");
        oneLine(() -> BpeFiles.readVocab(v), "vocab.json", "-5");
        // ids shifted by 1e9: refused from the entry count before any table is sized by the largest id
        Files.writeString(v, "{\"a\": 1000000000, \"b\": 1000000001}");
        oneLine(() -> BpeFiles.readVocab(v), "vocab.json", "id 100000000", "2 tokens");
        Files.writeString(v, "{\"a\": 0, \"b\": 1, \"c\": 1}");
        oneLine(() -> BpeFiles.readVocab(v), "vocab.json", "id 1");
        Files.writeString(v, "{\"a\": 0, \"b\": 99999999999}");
        oneLine(() -> BpeFiles.readVocab(v), "vocab.json", "99999999999");
    }

    @Test
    void tokenizerFoldersWithBadIds() throws IOException {
        Path clip = dir.resolve("clip");
        Files.createDirectories(clip);
        Files.writeString(clip.resolve("vocab.json"), "{\"a</w>\": -1, \"<|startoftext|>\": 49406, \"<|endoftext|>\": 49407}");
        Files.writeString(clip.resolve("merges.txt"), "#version: 0.2\n");
        oneLine(() -> ClipTokenizer.fromFolder(clip), "vocab.json", "-1");
        Path rob = dir.resolve("roberta");
        Files.createDirectories(rob);
        Files.writeString(rob.resolve("vocab.json"), "{\"<s>\": 0, \"<pad>\": 1, \"</s>\": 2, \"<unk>\": 3, \"<mask>\": 2000000000}");
        Files.writeString(rob.resolve("merges.txt"), "#version: 0.2\na b\n");
        oneLine(() -> RobertaTokenizer.fromFolder(rob), "vocab.json", "2000000000");
    }

    @Test
    void tiktokenRanksNegativeHugeOrRepeated() throws IOException {
        Path t = dir.resolve("x.tiktoken");
        Files.writeString(t, "YQ== 0\nYg== -3\n");
        oneLine(() -> Tiktoken.readRanks(t), "x.tiktoken", "-3");
        Files.writeString(t, "YQ== 0\nYg== 1000000000\n");
        oneLine(() -> Tiktoken.readRanks(t), "x.tiktoken", "1000000000");
        Files.writeString(t, "YQ== 0\nYg== 0\n");
        oneLine(() -> Tiktoken.readRanks(t), "x.tiktoken", "rank 0");
    }

    @Test
    void emptyOrBrokenUNetConfigIsAnErrorNotInference() throws IOException {
        Path f = dir.resolve("config.json");
        for (String text : new String[] {"{}", "", "{\"_class_name\": \"UNet2DConditionModel\",", "[1, 2]"}) {
            Files.writeString(f, text);
            oneLine(() -> UNetConfig.read(f), "config.json");
            // beside a single file: only a config of another class (or none) lets the weights decide
            oneLine(() -> UNetConfig.readIfPresent(f), "config.json");
        }
        Files.writeString(f, "{\"_class_name\": \"AutoencoderKL\", \"latent_channels\": 4}");
        assertNull(UNetConfig.readIfPresent(f));
        Files.writeString(f, "{\"model_type\": \"clip_text_model\"}");
        assertNull(UNetConfig.readIfPresent(f));
        assertNull(UNetConfig.readIfPresent(dir.resolve("missing.json")));
    }

    @Test
    void familiesDoNotTakeAnUnreadableFolderConfigForAnotherModels() throws IOException {
        // a UNet or VAE folder whose config.json is empty or cut short: one line naming it, not "no family"
        for (String text : new String[] {"{}", "{\"_class_name\": "}) {
            Path unet = dir.resolve("unet" + text.length());
            Files.createDirectories(unet);
            Files.writeString(unet.resolve("config.json"), text);
            Files.createSymbolicLink(unet.resolve("diffusion_pytorch_model.safetensors"),
                    SharedData.golden("unet_random_sd1", "weights_diffusers.safetensors").toAbsolutePath());
            oneLine(() -> new UNetFamily().traceable(unet, null, Set.of("sample", "timestep", "encoder_hidden_states")), "config.json");
            oneLine(() -> new VaeFamily().traceable(unet, null, Set.of("sample")), "config.json");
        }
    }

    // --- one representative bad field per config class

    @Test
    void vaeConfig() throws IOException {
        Map<String, Object> m = VaeConfig.stableDiffusion().toMap();
        refused("vae/config.json", m, "norm_num_groups", 0L, VaeConfig::fromJson);
        refused("vae/config.json", m, "latent_channels", -4L, VaeConfig::fromJson);
        refused("vae/config.json", m, "block_out_channels", List.of(128L, 250L), VaeConfig::fromJson);
        refused("vae/config.json", m, "scaling_factor", -1.0, VaeConfig::fromJson);
        refused("vae/config.json", m, "down_block_types", List.of(7L, 8L, 9L, 1L), VaeConfig::fromJson);
        oneLine(() -> VaeConfig.fromJson(write("vae2/config.json", "{}")), "config.json");
    }

    @Test
    void clipTextConfig() throws IOException {
        Map<String, Object> m = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f).toMap();
        refused("te/config.json", m, "num_attention_heads", 7L, ClipTextConfig::fromJson);
        refused("te/config.json", m, "layer_norm_eps", -1.0, ClipTextConfig::fromJson);
        oneLine(() -> ClipTextConfig.fromJson(write("te2/config.json", "{}")), "config.json");
    }

    @Test
    void clipVisionConfig() throws IOException {
        Path f = write("vision/config.json", "{\"model_type\": \"clip_vision_model\", \"hidden_size\": 768, \"num_attention_heads\": 12,"
                + " \"image_size\": 224, \"patch_size\": 14, \"intermediate_size\": 3072, \"num_hidden_layers\": 2}");
        Map<String, Object> m = Json.parseObject(Files.readString(f));
        ClipVisionConfig.fromJson(f);
        refused("vision/config.json", m, "patch_size", 0L, ClipVisionConfig::fromJson);
        refused("vision/config.json", m, "num_attention_heads", 5L, ClipVisionConfig::fromJson);
    }

    @Test
    void clapTextConfig() throws IOException {
        Map<String, Object> m = ClapTextConfig.ROBERTA_BASE.toMap();
        refused("clap/config.json", m, "num_attention_heads", 5L, ClapTextConfig::fromJson);
        refused("clap/config.json", m, "pad_token_id", -1L, ClapTextConfig::fromJson);
        oneLine(() -> ClapTextConfig.fromJson(write("clap2/config.json", "{}")), "config.json");
    }

    @Test
    void hifiGanConfig() throws IOException {
        Map<String, Object> m = HifiGanConfig.audioldm16k(1024).toMap();
        refused("vocoder/config.json", m, "upsample_rates", List.of(5L, 0L, 2L, 2L, 2L), HifiGanConfig::fromJson);
        refused("vocoder/config.json", m, "sampling_rate", -16000L, HifiGanConfig::fromJson);
    }

    @Test
    void whisperConfig() {
        Map<String, Object> hf = new LinkedHashMap<>(Map.of("model_type", "whisper", "d_model", 384L, "num_mel_bins", 80L,
                "max_source_positions", 1500L, "encoder_attention_heads", 6L, "encoder_layers", 4L, "vocab_size", 51865L,
                "max_target_positions", 448L, "decoder_attention_heads", 6L, "decoder_layers", 4L));
        WhisperConfig.fromHuggingFace(hf);
        hf.put("encoder_attention_heads", 5L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromHuggingFace(hf));
        assertTrue(e.getMessage().contains("encoder_attention_heads"), e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromDimsJson(
                "{\"n_mels\": 80, \"n_audio_ctx\": 1500, \"n_audio_state\": 384, \"n_audio_head\": 0, \"n_audio_layer\": 4,"
                        + " \"n_vocab\": 51865, \"n_text_ctx\": 448, \"n_text_state\": 384, \"n_text_head\": 6, \"n_text_layer\": 4}"));
        assertTrue(d.getMessage().contains("n_audio_head"), d.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromDimsJson(
                "{\"n_mels\": 80, \"n_audio_ctx\": 1500, \"n_audio_state\": 384, \"n_audio_head\": 6, \"n_audio_layer\": 4,"
                        + " \"n_vocab\": 2147483647, \"n_text_ctx\": 448, \"n_text_state\": 384, \"n_text_head\": 6, \"n_text_layer\": 4}"));
        assertTrue(big.getMessage().contains("n_vocab"), big.getMessage());
    }

    @Test
    void imageProcessorConfig() throws IOException {
        Map<String, Object> m = Map.of("crop_size", Map.of("height", 224L, "width", 224L), "size", Map.of("shortest_edge", 224L));
        refused("preprocessor_config.json", m, "crop_size", 0L, ImageProcessorConfig::read);
        refused("preprocessor_config.json", m, "rescale_factor", -1.0, ImageProcessorConfig::read);
        refused("preprocessor_config.json", m, "resample", 99L, ImageProcessorConfig::read);
    }

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }
}
