package org.synesthesia.diffusion;

import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Scheduler;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.diffusion.vae.VaeNames;
import org.synesthesia.nn.Weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.SimpleGguf;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** Stable Diffusion metadata bundles, and converted files that generate the image of their source. */
class SdGgufTest {
    @TempDir Path tmp;

    static final List<String> PROMPTS = List.of("a photograph of an astronaut riding a horse", "", "Ünïcode café, 3 dogs & a cat!!");

    /** A converted file the simple way: the source's tensors as they are, the bundle, general.* keys. */
    static Path convert(Path out, WeightSource src, SdGguf.Bundle b) throws IOException {
        return SimpleGguf.write(out, "stable-diffusion", src, w -> SdGguf.write(w, b));
    }

    private StableDiffusionPipeline.Request request() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
        return new StableDiffusionPipeline.Request(PROMPTS.get(0), "", 10, 7.5, 16, 16, 1, 0, g.get("initial_latents").toArray());
    }

    private static Tensor image(Path model, Path tokenizer, String scheduler, StableDiffusionPipeline.Request r) {
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(model, tokenizer, scheduler, null)) {
            return p.generate(r, null).image();
        }
    }

    private static void assertSameTokenizer(ClipTokenizer a, ClipTokenizer b) {
        assertEquals(a.vocabSize(), b.vocabSize());
        assertEquals(a.padId(), b.padId());
        for (String p : PROMPTS) assertArrayEquals(a.encodeForModel(p), b.encodeForModel(p), p);
    }

    @Test
    void convertedDiffusersFolderGivesTheFolderImage() throws IOException {
        Path folder = SdTinyFolder.sd1(tmp);
        Path gguf;
        try (WeightSource src = WeightSources.open(folder)) {
            SdGguf.Bundle b = SdGguf.fromInput(folder, src, null, null);
            assertEquals(Json.parseObject(Files.readString(folder.resolve("unet/config.json"))), b.unetConfig());
            assertEquals(Json.parseObject(Files.readString(folder.resolve("scheduler/scheduler_config.json"))), b.schedulerConfig());
            assertEquals(0, b.clipSkip());
            assertSameTokenizer(ClipTokenizer.fromFolder(folder.resolve("tokenizer")), b.tokenizer());
            assertTrue(src.names().contains("unet/conv_in.weight"));
            gguf = convert(tmp.resolve("tiny.gguf"), src, b);
        }
        try (Gguf g = Gguf.open(gguf)) {
            assertEquals("clip", g.metadata().get("tokenizer.ggml.model"));
            assertEquals(GgufValue.u32(49406), g.values().get("tokenizer.ggml.bos_token_id"));
            assertEquals(GgufValue.u32(49407), g.values().get("tokenizer.ggml.eos_token_id"));
            assertEquals(GgufValue.u32(49407), g.values().get("tokenizer.ggml.padding_token_id"));
            SdGguf.Bundle back = SdGguf.read(g).orElseThrow();
            assertSameTokenizer(ClipTokenizer.fromFolder(folder.resolve("tokenizer")), back.tokenizer());
            // a converted file converted again keeps its metadata
            SdGguf.Bundle again = SdGguf.fromInput(gguf, g, null, PredictionType.V_PREDICTION);
            assertEquals(back.unetConfig(), again.unetConfig());
            assertEquals("v_prediction", again.schedulerConfig().get("prediction_type"));
        }
        var r = request();
        Tensor fromFolder = image(folder, null, null, r);
        Tensor fromGguf = image(gguf, null, null, r);
        Assert.close("converted folder vs folder image", fromFolder, fromGguf, 2e-4);
        // --scheduler and --tokenizer still override the file's
        Assert.close("ddim", image(folder, null, "ddim", r), image(gguf, folder.resolve("tokenizer"), "ddim", r), 2e-4);
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
        Assert.close("golden image", g.get("image"), fromGguf, StableDiffusionPipelineTest.IMAGE_TOL);
    }

    /** An SD 1.x single file in LDM names (as SingleFilePipelineTest makes it). */
    private Path ldmSingleFile(Path dir) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors")));
        all.putAll(SafeTensors.readAll(SharedData.golden("vae_random", "weights_ldm.safetensors")));
        SafeTensors.readAll(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors")).forEach((k, v) -> {
            if (!k.endsWith("position_ids")) all.put("cond_stage_model.transformer." + k, v);
        });
        Files.createDirectories(dir);
        Path file = dir.resolve("tiny.safetensors");
        SafeTensors.write(file, all, Map.of());
        return file;
    }

    @Test
    void convertedLdmSingleFileGivesTheSingleFileImage() throws IOException {
        Path dir = tmp.resolve("single");
        Path file = ldmSingleFile(dir);
        Path folder = SdTinyFolder.sd1(tmp);
        Files.copy(folder.resolve("unet/config.json"), dir.resolve("config.json"));
        Path tokenizer = SharedData.data("tokenizers/sd15");
        Path gguf;
        try (WeightSource src = WeightSources.open(file)) {
            SdGguf.Bundle b = SdGguf.fromInput(file, src, tokenizer, null);
            assertEquals(UNetConfig.read(dir.resolve("config.json")), UNetConfig.fromJson(b.unetConfig()));
            assertEquals("PNDMScheduler", b.schedulerConfig().get("_class_name"));
            assertEquals("epsilon", b.schedulerConfig().get("prediction_type"));
            assertEquals(0, b.clipSkip());
            assertEquals(ClipTokenizer.END_OF_TEXT, b.padId());
            Files.createDirectories(tmp.resolve("converted"));
            gguf = convert(tmp.resolve("converted/tiny-ldm.gguf"), src, b);
        }
        try (Gguf g = Gguf.open(gguf)) {
            assertTrue(g.names().contains("model.diffusion_model.input_blocks.0.0.weight"));
            assertTrue(g.names().contains("first_stage_model.decoder.conv_in.weight"));
        }
        var r = request();
        // the same LDM names and dtypes, the default (PNDM) scheduler: exactly the single file's image
        Assert.close("converted LDM file vs single file", image(file, tokenizer, null, r), image(gguf, null, null, r), 0);
    }

    /** Every weight of rank >= 2 encoded (Q8_ROW, PAL 8-bit per tensor, PAL 4-bit grouped), and its decoded float32 twin. */
    private void encodedAndDecoded(WeightSource src, SdGguf.Bundle b, Path encoded, Path decoded) throws IOException {
        org.synesthesia.testing.EncodedTwins.write(src, org.synesthesia.testing.EncodedTwins.architecture("stable-diffusion", w -> SdGguf.write(w, b)), encoded, decoded);
    }

    /** Converted files with encoded weights (diffusers and LDM names) generate the image of their decoded twins. */
    @Test
    void encodedWeightsGenerateAsTheirDecodedValues() throws IOException {
        var r = request();
        Path folder = SdTinyFolder.sd1(tmp);
        Path enc = tmp.resolve("enc.gguf"), dec = tmp.resolve("dec.gguf");
        try (WeightSource src = WeightSources.open(folder)) {
            encodedAndDecoded(src, SdGguf.fromInput(folder, src, null, null), enc, dec);
        }
        // PAL/Q8_ROW and F32 weights take different GEMM blockings, and the tiny UNet's GroupNorms over 2 channels at
        // 1x1 amplify that rounding (see UNetParityTest); a wrong decode moves pixels by far more
        Assert.close("encoded vs decoded (diffusers names)", image(dec, null, null, r), image(enc, null, null, r), 1e-3);
        Path file = ldmSingleFile(tmp.resolve("ldm"));
        Path enc2 = tmp.resolve("enc-ldm.gguf"), dec2 = tmp.resolve("dec-ldm.gguf");
        try (WeightSource src = WeightSources.open(file)) {
            encodedAndDecoded(src, SdGguf.fromInput(file, src, SharedData.data("tokenizers/sd15"), null), enc2, dec2);
        }
        Assert.close("encoded vs decoded (LDM names)", image(dec2, null, null, r), image(enc2, null, null, r), 2e-3);
    }

    @Test
    void inferredSingleFileConfigsAreTheLoadersOwn() throws IOException {
        Path file = ldmSingleFile(tmp.resolve("bare"));
        try (WeightSource src = WeightSources.open(file)) {
            SdGguf.Bundle b = SdGguf.fromInput(file, src, SharedData.data("tokenizers/sd15"), PredictionType.V_PREDICTION);
            assertEquals(UNetConfig.inferFrom(UNet2DConditionModel.weights(src, -1)), UNetConfig.fromJson(b.unetConfig()));
            assertEquals(VaeConfig.infer(Weights.of("VAE", src, VaeNames.mapping(src.names()))), VaeConfig.fromMap(b.vaeConfig(), "t"));
            assertEquals(ClipTextConfig.infer(org.synesthesia.clip.ClipNames.of(src)), ClipTextConfig.fromMap(b.textEncoderConfig(), "t"));
            assertEquals("v_prediction", b.schedulerConfig().get("prediction_type"));
        }
    }

    /**
     * An SD 2.x single file's 24-layer OpenCLIP text model (shapes only: the bundle reads no values) gets clip skip 1
     * and pad id 0, as StableDiffusionPipeline.load runs such a file.
     */
    @Test
    void sd2SingleFileWithFullOpenClipUsesThePenultimateLayer() throws IOException {
        Path file = ldmSingleFile(tmp.resolve("sd2"));
        try (WeightSource real = WeightSources.open(file)) {
            Map<String, org.synesthesia.tensor.StoredTensor> fake = new LinkedHashMap<>();
            String p = "cond_stage_model.model.";
            java.util.function.BiConsumer<String, long[]> add = (n, shape) -> fake.put(p + n,
                    new org.synesthesia.tensor.StoredTensor(p + n, org.synesthesia.tensor.DType.F16, shape, java.lang.foreign.MemorySegment.NULL, "fake"));
            add.accept("token_embedding.weight", new long[] {49408, 1024});
            add.accept("positional_embedding", new long[] {77, 1024});
            add.accept("ln_final.weight", new long[] {1024});
            for (int i = 0; i < 24; i++) {
                add.accept("transformer.resblocks." + i + ".attn.in_proj_weight", new long[] {3072, 1024});
                add.accept("transformer.resblocks." + i + ".mlp.c_fc.weight", new long[] {4096, 1024});
            }
            WeightSource src = new WeightSource() {
                @Override public String description() { return "sd2 test"; }
                @Override public String format() { return "test"; }
                @Override public java.util.Collection<String> names() {
                    List<String> all = new java.util.ArrayList<>();
                    for (String n : real.names()) if (!n.startsWith("cond_stage_model.")) all.add(n);
                    all.addAll(fake.keySet());
                    return all;
                }
                @Override public java.util.Optional<org.synesthesia.tensor.StoredTensor> find(String n) {
                    return n.startsWith("cond_stage_model.") ? java.util.Optional.ofNullable(fake.get(n)) : real.find(n);
                }
                @Override public Map<String, String> metadata() { return Map.of(); }
                @Override public void close() {}
            };
            SdGguf.Bundle b = SdGguf.fromInput(file, src, SharedData.data("tokenizers/sd21"), PredictionType.V_PREDICTION);
            assertEquals(1, b.clipSkip());
            assertEquals(ClipTokenizer.PAD_ZERO, b.padId());
            ClipTextConfig te = ClipTextConfig.fromMap(b.textEncoderConfig(), "t");
            assertEquals(24, te.numLayers());
            assertEquals(16, te.numHeads());
            assertEquals(ClipTextConfig.Activation.GELU, te.activation());
            assertEquals("v_prediction", b.schedulerConfig().get("prediction_type"));
        }
    }

    @Test
    void configsRoundTripThroughTheirJson() {
        for (UNetConfig c : List.of(UNetConfig.sd1(), UNetConfig.sd2()))
            assertEquals(c, UNetConfig.fromJson(Json.parseObject(Json.write(c.toMap()))));
        VaeConfig v = VaeConfig.stableDiffusion();
        assertEquals(v, VaeConfig.fromMap(Json.parseObject(Json.write(v.toMap())), "t"));
        for (ClipTextConfig.Activation a : ClipTextConfig.Activation.values()) {
            ClipTextConfig c = new ClipTextConfig(49408, 1024, 4096, 23, 16, 77, a, 1e-5f);
            assertEquals(c, ClipTextConfig.fromMap(Json.parseObject(Json.write(c.toMap())), "t"));
        }
        for (PredictionType p : PredictionType.values()) {
            SchedulerConfig s = SchedulerConfig.stableDiffusion(p);
            Map<String, Object> m = Json.parseObject(Json.write(s.toMap("PNDMScheduler")));
            SchedulerConfig back = SchedulerConfig.fromMap(m, "t");
            assertEquals(List.of(), back.requested());
            assertEquals(s.toMap("PNDMScheduler"), back.toMap("PNDMScheduler"));
            for (String name : Schedulers.NAMES) {
                Scheduler a;
                try {
                    a = Schedulers.create(name, s);
                } catch (SynesthesiaException unsupported) { // e.g. PNDM with sample prediction: refused alike
                    assertThrows(SynesthesiaException.class, () -> Schedulers.fromConfig(m, name));
                    continue;
                }
                Scheduler b = Schedulers.fromConfig(m, name);
                a.setTimesteps(7);
                b.setTimesteps(7);
                assertArrayEquals(a.timesteps(), b.timesteps(), name);
                assertEquals(a.initNoiseSigma(), b.initNoiseSigma(), name);
            }
        }
    }

    private Map<String, Tensor> trace(Path model, Map<String, Tensor> inputs, String part) throws IOException {
        Path in = tmp.resolve("in.safetensors"), out = tmp.resolve("out.safetensors");
        Files.deleteIfExists(in);
        SafeTensors.write(in, inputs, Map.of());
        List<String> args = new java.util.ArrayList<>(List.of("--quiet", "trace", model.toString(), "--inputs", in.toString(), "--out", out.toString()));
        if (part != null) { args.add("--part"); args.add(part); }
        assertEquals(0, org.synesthesia.cli.Main.run(args.toArray(String[]::new)));
        return SafeTensors.readAll(out);
    }

    private static Tensor randn(java.util.Random r, int... shape) {
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.of(v, shape);
    }

    /** trace takes each part of a converted file with its stored config (the tiny models' heads are not SD's rule). */
    @Test
    void traceRunsEachPartOfAConvertedFile() throws IOException {
        Path folder = SdTinyFolder.sd1(tmp);
        Path gguf;
        try (WeightSource src = WeightSources.open(folder)) {
            gguf = convert(tmp.resolve("trace.gguf"), src, SdGguf.fromInput(folder, src, null, null));
        }
        java.util.Random r = new java.util.Random(4);
        Map<String, Tensor> unetIn = Map.of("sample", randn(r, 1, 4, 8, 8), "timestep", Tensor.of(new float[] {10}, 1),
                "encoder_hidden_states", randn(r, 1, 77, 64));
        Assert.close("unet", trace(folder, unetIn, null).get("output"), trace(gguf, unetIn, null).get("output"), 1e-5);
        Map<String, Tensor> vaeIn = Map.of("latent_sample", randn(r, 1, 4, 4, 4));
        Assert.close("vae", trace(folder, vaeIn, "decoder").get("output"), trace(gguf, vaeIn, "decoder").get("output"), 1e-5);
        float[] ids = new float[77];
        int[] enc = ClipTokenizer.fromFolder(folder.resolve("tokenizer")).encodeForModel(PROMPTS.get(0));
        for (int i = 0; i < 77; i++) ids[i] = enc[i];
        Map<String, Tensor> clipIn = Map.of("input_ids", Tensor.of(ids, 1, 77));
        Assert.close("clip", trace(folder, clipIn, "text_encoder").get("output"), trace(gguf, clipIn, "text_encoder").get("output"), 1e-5);
    }

    @Test
    void missingOrBadMetadataIsOneLine() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", "stable-diffusion").put(SdGguf.UNET, "{not json");
        Path f = tmp.resolve("bad.gguf");
        w.write(f);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> StableDiffusionPipeline.load(f, null, null, null));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(SdGguf.UNET), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
