package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.diffusion.SdGguf;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.unet.UNetNames;
import org.synesthesia.diffusion.vae.VaeNames;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * A model converts to the same tensors whichever layout it came in: the LDM-named and the diffusers-named golden
 * UNets and VAEs give files with the same tensor names, order, types, shapes and bytes (palettes included), and
 * the same metadata but for the input's name and format. The engine reads the converted names as they are.
 */
class CanonicalNamesTest {
    @TempDir Path tmp;

    static final List<TargetType> TYPES = List.of(TargetType.PAL8, TargetType.F16, TargetType.Q8);

    @Test
    void unetSd1FromBothLayoutsIsOneFile() throws IOException {
        sameFile("unet_random_sd1");
    }

    @Test
    void unetSd2FromBothLayoutsIsOneFile() throws IOException {
        sameFile("unet_random_sd2");
    }

    @Test
    void vaeFromBothLayoutsIsOneFile() throws IOException {
        sameFile("vae_random");
    }

    /** OpenCLIP's fused q/k/v rows become Hugging Face's q_proj, k_proj and v_proj. */
    @Test
    void clipTextFromOpenClipAndHuggingFaceNamesIsOneFile() throws IOException {
        String set = "clip_text_random_gelu";
        for (TargetType t : TYPES) {
            Path oc = convert(SharedData.golden(set, "weights_ldm_openclip.safetensors"), t, set + "-openclip", SharedData.data("tokenizers/sd15"));
            Path hf = convert(SharedData.golden(set, "weights.safetensors"), t, set + "-hf", SharedData.data("tokenizers/sd15"));
            assertSameTensors(oc, hf, set + " " + t.id(), SdGguf.TEXT_ENCODER_PREFIX);
        }
    }

    /**
     * A whole SD 1.x single file in LDM names (with an EMA copy and schedule buffers) and the same model in diffusers
     * names under unet/, vae/ and text_encoder/ (with a safety checker) give the same file.
     */
    @Test
    void wholeSdCheckpointFromBothLayoutsIsOneFile() throws IOException {
        Map<String, Tensor> ldm = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors")));
        ldm.putAll(SafeTensors.readAll(SharedData.golden("vae_random", "weights_ldm.safetensors")));
        Map<String, Tensor> diffusers = new LinkedHashMap<>();
        SafeTensors.readAll(SharedData.golden("unet_random_sd1", "weights_diffusers.safetensors")).forEach((k, v) -> diffusers.put("unet/" + k, v));
        SafeTensors.readAll(SharedData.golden("vae_random", "weights_diffusers.safetensors")).forEach((k, v) -> diffusers.put("vae/" + k, v));
        SafeTensors.readAll(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors")).forEach((k, v) -> {
            ldm.put("cond_stage_model.transformer." + k, v);
            diffusers.put("text_encoder/" + k, v);
        });
        String ema = "model_ema.diffusion_modelout0weight";
        ldm.put(ema, ldm.get("model.diffusion_model.out.0.weight"));
        ldm.put("alphas_cumprod", Tensor.of(new float[] {0.99f, 0.98f}, 2));
        diffusers.put("safety_checker/vision_model.post_layernorm.weight", Tensor.of(new float[] {1, 1}, 2));
        Path dir = Files.createDirectories(tmp.resolve("whole"));
        Path ldmFile = dir.resolve("ldm.safetensors"), diffusersFile = dir.resolve("diffusers.safetensors");
        SafeTensors.write(ldmFile, ldm, Map.of());
        SafeTensors.write(diffusersFile, diffusers, Map.of());
        for (TargetType t : List.of(TargetType.PAL8, TargetType.Q8)) {
            Converter.Result[] r = new Converter.Result[2];
            Path a = tmp.resolve("whole-ldm-" + t.id() + ".gguf"), b = tmp.resolve("whole-diffusers-" + t.id() + ".gguf");
            Converter.Options o = new Converter.Options(t, 0, List.of(), 0, SharedData.data("tokenizers/sd15"), null, Parallel.threads(), false);
            r[0] = Converter.convert(ldmFile, a, o);
            r[1] = Converter.convert(diffusersFile, b, o);
            assertSameTensors(a, b, "whole SD " + t.id(), SdGguf.UNET_PREFIX, SdGguf.VAE_PREFIX, SdGguf.TEXT_ENCODER_PREFIX);
            assertTrue(r[0].dropped().containsAll(List.of(ema, "alphas_cumprod")), r[0].dropped().toString());
            assertEquals(List.of("text_encoder/text_model.embeddings.position_ids", "safety_checker/vision_model.post_layernorm.weight"), r[1].dropped());
            assertTrue(r[0].layers().stream().anyMatch(l -> l.name().equals("unet/conv_in.weight")), "the report uses canonical names");
        }
    }

    private void sameFile(String set) throws IOException {
        for (TargetType t : TYPES) {
            Path ldm = convert(SharedData.golden(set, "weights_ldm.safetensors"), t, set + "-ldm");
            Path diffusers = convert(SharedData.golden(set, "weights_diffusers.safetensors"), t, set + "-diffusers");
            assertSameTensors(ldm, diffusers, set + " " + t.id(), SdGguf.UNET_PREFIX, SdGguf.VAE_PREFIX);
        }
    }

    /**
     * Both files hold the same tensors (names, order, types, shapes, bytes; palettes are tensors too) and metadata
     * but for the input's name and format, every tensor under one of {@code prefixes}.
     */
    static void assertSameTensors(Path first, Path second, String what, String... prefixes) throws IOException {
        try (Gguf a = Gguf.open(first); Gguf b = Gguf.open(second)) {
            assertEquals(List.copyOf(a.rawTensors().keySet()), List.copyOf(b.rawTensors().keySet()), what + ": tensor names and order");
            for (var e : a.rawTensors().entrySet()) {
                StoredTensor x = e.getValue(), y = b.rawTensors().get(e.getKey());
                assertEquals(x.dtype(), y.dtype(), what + ": type of " + e.getKey());
                assertArrayEquals(x.shape(), y.shape(), what + ": shape of " + e.getKey());
                assertEquals(-1, x.data().mismatch(y.data()), what + ": bytes of " + e.getKey());
            }
            assertEquals(withoutInput(a.values()), withoutInput(b.values()), what + ": metadata");
            assertEquals(-1, dataRegion(first, a.dataStart()).mismatch(dataRegion(second, b.dataStart())), what + ": data region");
            for (String n : a.names()) assertTrue(java.util.Arrays.stream(prefixes).anyMatch(n::startsWith), what + ": " + n);
        }
    }

    /** The converted names are read as they are: the mapping is the prefix and nothing else. */
    @Test
    void theEngineReadsConvertedNamesAsTheyAre() throws IOException {
        Path u = convert(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"), TargetType.F16, "identity-unet");
        try (Gguf g = Gguf.open(u)) {
            NameMapping m = UNetNames.mapping(g, -1);
            assertEquals(g.names().size(), m.canonicalToStored().size());
            m.canonicalToStored().forEach((c, s) -> assertEquals(SdGguf.UNET_PREFIX + c, s));
        }
        Path v = convert(SharedData.golden("vae_random", "weights_ldm.safetensors"), TargetType.F16, "identity-vae");
        try (Gguf g = Gguf.open(v)) {
            NameMapping m = VaeNames.mapping(g.names());
            assertEquals(g.names().size(), m.canonicalToStored().size());
            m.canonicalToStored().forEach((c, s) -> assertEquals(SdGguf.VAE_PREFIX + c, s));
            assertArrayEquals(new long[] {g.get("vae/decoder.mid_block.attentions.0.to_q.weight").shape()[0],
                    g.get("vae/decoder.mid_block.attentions.0.to_q.weight").shape()[1]}, g.get("vae/decoder.mid_block.attentions.0.to_q.weight").shape(),
                    "LDM's 1x1 convolution is written as diffusers' Linear");
        }
    }

    /** A file written before canonical names (the input's own LDM names, SD metadata) still gives the same outputs. */
    @SuppressWarnings("unchecked")
    @Test
    void filesWithTheInputsNamesStillLoad() throws IOException {
        Path unetIn = SharedData.golden("unet_random_sd1", "weights_ldm.safetensors");
        Path unetOld = asStored(unetIn, tmp.resolve("old-unet.gguf"));
        Map<String, Object> gj = Json.parseObject(Files.readString(SharedData.golden("unet_random_sd1", "golden.json")));
        UNetConfig c = UNetConfig.fromJson((Map<String, Object>) gj.get("config_args"));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("unet_random_sd1", "golden.safetensors"));
        java.util.function.Function<Path, float[]> unet = p -> {
            try (WeightSource src = WeightSources.open(p)) {
                return new UNet2DConditionModel(c, UNet2DConditionModel.weights(src, c.layersPerBlock()))
                        .forward(g.get("latents"), 981, g.get("encoder_hidden_states"), Tracer.NONE).toArray();
            }
        };
        assertArrayEquals(unet.apply(unetIn), unet.apply(unetOld));

        Path vaeIn = SharedData.golden("vae_random", "weights_ldm.safetensors");
        Path vaeOld = asStored(vaeIn, tmp.resolve("old-vae.gguf"));
        Map<String, Tensor> v = SafeTensors.readAll(SharedData.golden("vae_random", "golden.safetensors"));
        java.util.function.Function<Path, float[]> vae = p -> {
            try (AutoencoderKL a = AutoencoderKL.load(WeightSources.open(p), null, true)) {
                return a.decode(v.get("latent_z")).toArray();
            }
        };
        assertArrayEquals(vae.apply(vaeIn), vae.apply(vaeOld));
    }

    /** {@code input} as the converter wrote it before canonical names: its own names and bytes, SD metadata. */
    private static Path asStored(Path input, Path out) throws IOException {
        try (WeightSource src = WeightSources.open(input)) {
            GgufWriter w = new GgufWriter();
            w.put("general.architecture", SdGguf.ARCHITECTURE);
            w.alignment(32);
            SdGguf.write(w, SdGguf.fromInput(input, src, null, null));
            for (String n : src.names()) w.tensor(src.get(n));
            w.write(out);
            try (Gguf g = Gguf.open(out)) {
                assertEquals(List.copyOf(src.names()), List.copyOf(g.names()));
            }
        }
        return out;
    }

    @Test
    void namesSortDigitRunsByValue() {
        List<String> names = new ArrayList<>(List.of("b.10.w", "b.2.w", "a", "b.2", "b.02.w", "b.1.x.10", "b.1.x.9"));
        names.sort(CanonicalTensors.ORDER);
        assertEquals(List.of("a", "b.1.x.9", "b.1.x.10", "b.2", "b.02.w", "b.2.w", "b.10.w"), names);
    }

    @Test
    void paletteSeedsDependOnSeedAndNameOnly() {
        assertEquals(CanonicalTensors.paletteSeed(7, "unet/conv_in.weight"), CanonicalTensors.paletteSeed(7, "unet/conv_in.weight"));
        assertTrue(CanonicalTensors.paletteSeed(7, "unet/conv_in.weight") != CanonicalTensors.paletteSeed(8, "unet/conv_in.weight"));
        assertTrue(CanonicalTensors.paletteSeed(7, "unet/conv_in.weight") != CanonicalTensors.paletteSeed(7, "unet/conv_out.weight"));
    }

    private Path convert(Path input, TargetType t, String tag) throws IOException {
        return convert(input, t, tag, null);
    }

    private Path convert(Path input, TargetType t, String tag, Path tokenizer) throws IOException {
        Path out = tmp.resolve(tag + "-" + t.id() + ".gguf");
        Converter.convert(input, out, new Converter.Options(t, 0, List.of(), 0, tokenizer, null, Parallel.threads(), false));
        return out;
    }

    private static Map<String, GgufValue> withoutInput(Map<String, GgufValue> values) {
        Map<String, GgufValue> m = new HashMap<>(values);
        m.remove("general.name");
        m.remove("synesthesia.converter.source_format");
        return m;
    }

    private static java.lang.foreign.MemorySegment dataRegion(Path file, long start) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.toIntExact(ch.size() - start));
            ch.read(b, start);
            return java.lang.foreign.MemorySegment.ofArray(b.array());
        }
    }
}
