package org.synesthesia.audioldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.clap.ClapNames;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.diffusion.unet.UNetNames;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.diffusion.vae.VaeNames;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * A diffusers AudioLDMPipeline folder built from the goldens (audioldm_random renamed to diffusers' UNet, VAE and
 * SpeechT5HifiGan names; clap_text_random renamed to transformers' ClapTextModelWithProjection names; configs from
 * our config records) generates the same waveform as the original layout, and its text encoder the same embedding.
 */
public class AudioLdmFolderTest {
    static final String SET = "audioldm_random", CLAP = "clap_text_random", CLAP_PREFIX = "cond_stage_model.model.";

    @TempDir
    Path dir;

    static float scale() {
        return SafeTensors.readAll(SharedData.golden(SET, "buffers.safetensors")).get("scale_factor").toArray()[0];
    }

    /** The pipeline folder, written from the goldens and the configs {@code original} was read with. */
    public static Path buildFolder(Path dir, AudioLdm original) throws IOException {
        Path w = SharedData.golden(SET, "weights.safetensors");
        Map<String, Tensor> all = SafeTensors.readAll(w);
        Map<String, Tensor> unet = new LinkedHashMap<>(), vae = new LinkedHashMap<>(), voc = new LinkedHashMap<>(), text = new LinkedHashMap<>();
        UNetNames.ldmToDiffusers(all.keySet(), UNetNames.ldmLayersPerBlock(all.keySet())).forEach((d, s) -> unet.put(d, all.get(s)));
        VaeNames.toDiffusers(all.keySet()).forEach((d, s) -> {
            Tensor t = all.get(s);
            boolean attn = d.contains(".attentions.") && d.endsWith(".weight") && t.shape().length == 4;
            vae.put(d, attn ? t.reshape(t.dim(0), t.dim(1)) : t);
        });
        all.forEach((k, v) -> {
            if (k.startsWith("first_stage_model.vocoder.")) {
                String r = k.substring("first_stage_model.vocoder.".length());
                voc.put(r.startsWith("ups.") ? "upsampler." + r.substring(4) : r, v);
            }
        });
        SafeTensors.readAll(SharedData.golden(CLAP, "weights.safetensors"))
                .forEach((k, v) -> text.put(ClapNames.toTransformers(k.substring(CLAP_PREFIX.length())), v));
        Path f = dir.resolve("audioldm");
        write(f.resolve("model_index.json"), Map.of("_class_name", "AudioLDMPipeline", "_diffusers_version", "0.30.0",
                "unet", List.of("diffusers", "UNet2DConditionModel"), "vae", List.of("diffusers", "AutoencoderKL"),
                "vocoder", List.of("transformers", "SpeechT5HifiGan"), "text_encoder", List.of("transformers", "ClapTextModelWithProjection"),
                "tokenizer", List.of("transformers", "RobertaTokenizerFast"), "scheduler", List.of("diffusers", "DDIMScheduler")));
        SafeTensors.write(dir(f, "unet").resolve("diffusion_pytorch_model.safetensors"), unet, Map.of());
        write(f.resolve("unet/config.json"), original.unet().config().toMap());
        SafeTensors.write(dir(f, "vae").resolve("diffusion_pytorch_model.safetensors"), vae, Map.of());
        VaeConfig vc = original.vae().config();
        write(f.resolve("vae/config.json"), new VaeConfig(vc.inChannels(), vc.outChannels(), vc.blockOutChannels(), vc.layersPerBlock(),
                vc.latentChannels(), vc.normNumGroups(), scale(), vc.sampleSize()).toMap());
        SafeTensors.write(dir(f, "vocoder").resolve("model.safetensors"), voc, Map.of());
        write(f.resolve("vocoder/config.json"), speechT5(original.vocoder().config()));
        SafeTensors.write(dir(f, "text_encoder").resolve("model.safetensors"), text, Map.of());
        Map<String, Object> clapCfg = new LinkedHashMap<>(cfgOfClap());
        write(f.resolve("text_encoder/config.json"), clapCfg);
        Path tok = dir(f, "tokenizer");
        for (String n : List.of("vocab.json", "merges.txt")) Files.copy(SharedData.data("tokenizers/roberta-base").resolve(n), tok.resolve(n));
        write(f.resolve("scheduler/config.json"), AudioLdm.SCHEDULE.toMap("DDIMScheduler"));
        return f;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cfgOfClap() throws IOException {
        Path json = SharedData.golden(CLAP, "golden.json");
        return ClapTextConfig.fromMap((Map<String, Object>) Json.parseObject(Files.readString(json)).get("roberta_config"), json.toString()).toMap();
    }

    /** diffusers' SpeechT5HifiGanConfig keys for {@code c}. */
    static Map<String, Object> speechT5(HifiGanConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_in_dim", (long) c.numMels());
        m.put("sampling_rate", (long) c.samplingRate());
        m.put("upsample_initial_channel", (long) c.upsampleInitialChannel());
        m.put("upsample_rates", longs(c.upsampleRates()));
        m.put("upsample_kernel_sizes", longs(c.upsampleKernelSizes()));
        m.put("resblock_kernel_sizes", longs(c.resblockKernelSizes()));
        List<Object> d = new java.util.ArrayList<>();
        for (int[] x : c.resblockDilations()) d.add(longs(x));
        m.put("resblock_dilation_sizes", d);
        m.put("leaky_relu_slope", (double) c.leakyReluSlope());
        m.put("normalize_before", c.normalizeBefore());
        return m;
    }

    private static List<Object> longs(int[] v) {
        List<Object> l = new java.util.ArrayList<>();
        for (int x : v) l.add((long) x);
        return l;
    }

    private static Path dir(Path f, String part) throws IOException {
        return Files.createDirectories(f.resolve(part));
    }

    private static void write(Path p, Map<String, Object> m) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, Json.write(m));
    }

    @Test
    void folderGeneratesTheSameWaveformAsTheCheckpoint() throws IOException {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        float[] ref, got;
        Path folder;
        try (AudioLdm m = AudioLdm.load(WeightSources.open(SharedData.golden(SET, "weights.safetensors")), null, scale())) {
            folder = buildFolder(dir, m);
            ref = m.generate(g.get("in.cond_film"), g.get("in.uncond_film"), 2, 2.5, 1.0, 7171, AudioLdmDuration.of(2.5), AudioLdm.StepListener.NONE).waveform();
        }
        try (AudioLdm m = AudioLdm.load(folder, null)) {
            assertTrue(m.describe().contains("scale factor"), m.describe());
            got = m.generate(g.get("in.cond_film"), g.get("in.uncond_film"), 2, 2.5, 1.0, 7171, AudioLdmDuration.of(2.5), AudioLdm.StepListener.NONE).waveform();
            int[] ids = {0, 100, 200, 2, 1, 1};
            try (ClapTextModel orig = ClapTextModel.load(SharedData.golden(CLAP, "weights.safetensors"), m.clap().config())) {
                assertArrayEquals(orig.embed(ids, null, 1).toArray(), m.clap().embed(ids, null, 1).toArray());
            }
        }
        assertArrayEquals(ref, got);
    }

    @Test
    void otherPipelinesAreOneLineErrors() throws IOException {
        Path f = dir.resolve("sd");
        write(f.resolve("model_index.json"), Map.of("_class_name", "StableDiffusionPipeline"));
        assertTrue(!AudioLdmFolder.isAudioLdmFolder(f));
        var e = assertThrows(SynesthesiaException.class, () -> AudioLdmFolder.load(f, null));
        assertTrue(e.getMessage().contains("not an AudioLDMPipeline"), e.getMessage());
        Path a = dir.resolve("empty");
        write(a.resolve("model_index.json"), Map.of("_class_name", "AudioLDMPipeline"));
        e = assertThrows(SynesthesiaException.class, () -> AudioLdm.load(a, null));
        assertTrue(e.getMessage().endsWith("AudioLDM pipeline folder without vae/config.json"), e.getMessage());
    }
}
