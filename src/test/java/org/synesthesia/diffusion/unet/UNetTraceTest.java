package org.synesthesia.diffusion.unet;

import org.synesthesia.diffusion.StableDiffusionPipeline;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/** {@code synesthesia trace} on the golden UNets, in-process: a diffusers unet/ folder, and LDM files. */
class UNetTraceTest {
    @TempDir
    Path dir;

    private Path inputs(String set, float t) throws Exception {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, Map.of("sample", g.get("latents"), "timestep", Tensor.of(new float[] {t}),
                "encoder_hidden_states", g.get("encoder_hidden_states")), Map.of());
        return in;
    }

    /** A folder holding the golden's config as config.json and a link to one of its weight files. */
    @SuppressWarnings("unchecked")
    private Path folder(String set, String weights, String linkName) throws Exception {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
        Map<String, Object> cfg = new java.util.LinkedHashMap<>((Map<String, Object>) g.get("config_args"));
        cfg.put("_class_name", "UNet2DConditionModel");
        Path d = Files.createDirectories(dir.resolve(set + "-" + linkName.replace('.', '_')));
        Files.writeString(d.resolve("config.json"), Json.write(cfg));
        Files.createSymbolicLink(d.resolve(linkName), SharedData.golden(set, weights).toAbsolutePath());
        return d;
    }

    private Map<String, Tensor> trace(String model, Path in, String... capture) throws Exception {
        Path out = dir.resolve("taps.safetensors");
        List<String> args = new java.util.ArrayList<>(List.of("--quiet", "trace", model, "--inputs", in.toString(), "--out", out.toString()));
        for (String c : capture) { args.add("--capture"); args.add(c); }
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        return SafeTensors.readAll(out);
    }

    @Test
    void diffusersUnetFolderSd2() throws Exception {
        String set = "unet_random_sd2";
        Path unet = folder(set, "weights_diffusers.safetensors", "diffusion_pytorch_model.safetensors");
        Map<String, Tensor> taps = trace(unet.toString(), inputs(set, 981), "down_blocks.*", "time_proj", "**.attn2");
        Map<String, Tensor> inter = SafeTensors.readAll(SharedData.golden(set, "intermediates_t981.safetensors"));
        for (String n : List.of("time_proj", "down_blocks.0", "down_blocks.1", "down_blocks.2", "down_blocks.3",
                "down_blocks.0.attentions.0.transformer_blocks.0.attn2"))
            Assert.close(n, inter.get(n), taps.get(n), UNetParityTest.TOL);
        Tensor golden = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors")).get("noise_pred.t981");
        Assert.close("output", golden, taps.get("output"), UNetParityTest.TOL);
    }

    @Test
    void ldmFileWithConfigBesideItSd2() throws Exception {
        String set = "unet_random_sd2";
        Path d = folder(set, "weights_ldm.safetensors", "model.safetensors");
        Map<String, Tensor> taps = trace(d.resolve("model.safetensors").toString(), inputs(set, 1));
        Tensor golden = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors")).get("noise_pred.t1");
        Assert.close("output", golden, taps.get("output"), UNetParityTest.TOL);
    }

    @Test
    void ldmFileConfigInferredSd1() throws Exception {
        String set = "unet_random_sd1";
        Map<String, Tensor> taps = trace(SharedData.golden(set, "weights_ldm.safetensors").toString(), inputs(set, 981), "mid_block");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Assert.close("output", g.get("noise_pred.t981"), taps.get("output"), UNetParityTest.TOL);
        assertEquals(List.of("mid_block", "output"), List.copyOf(taps.keySet()));
    }

    @Test
    void wrongInputsAndParts() throws Exception {
        String set = "unet_random_sd1";
        String weights = SharedData.golden(set, "weights_diffusers.safetensors").toString();
        Path in = inputs(set, 981), out = dir.resolve("taps.safetensors");
        assertNotEquals(0, Main.run("--quiet", "trace", weights, "--inputs", in.toString(), "--part", "vae", "--out", out.toString()));
        Path bad = dir.resolve("bad.safetensors");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        SafeTensors.write(bad, Map.of("sample", g.get("latents"), "timestep", Tensor.of(new float[] {1, 2, 3}, 3),
                "encoder_hidden_states", g.get("encoder_hidden_states")), Map.of());
        assertNotEquals(0, Main.run("--quiet", "trace", weights, "--inputs", bad.toString(), "--out", out.toString()));
        SafeTensors.write(bad, Map.of("sample", g.get("latents"), "timestep", Tensor.of(new float[] {1})), Map.of());
        assertNotEquals(0, Main.run("--quiet", "trace", weights, "--inputs", bad.toString(), "--out", out.toString()));
    }

    @Test
    void benchModeOnTheGoldenShapes() throws Exception {
        Path unet = folder("unet_random_sd2", "weights_diffusers.safetensors", "diffusion_pytorch_model.safetensors");
        assertEquals(0, Main.run("--quiet", "bench", "unet", "--config", unet.resolve("config.json").toString(), "--size", "8", "--tokens", "5", "--runs", "0"));
        assertNotEquals(0, Main.run("--quiet", "bench", "unet", "--size", "8", "--bogus", "1"));
    }

    /** A diffusers pipeline folder (model_index.json, unet/ and a VAE beside it): the UNet is picked by its inputs. */
    @Test
    void pipelineFolder() throws Exception {
        String set = "unet_random_sd1";
        Path unet = folder(set, "weights_diffusers.safetensors", "diffusion_pytorch_model.safetensors");
        Path pipe = Files.createDirectories(dir.resolve("pipe"));
        Files.move(unet, pipe.resolve("unet"));
        Path vae = Files.createDirectories(pipe.resolve("vae"));
        Files.createSymbolicLink(vae.resolve("diffusion_pytorch_model.safetensors"), SharedData.golden("vae_random", "weights_diffusers.safetensors").toAbsolutePath());
        Files.writeString(pipe.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\", \"unet\": [\"diffusers\", \"UNet2DConditionModel\"], \"vae\": [\"diffusers\", \"AutoencoderKL\"]}");
        Map<String, Tensor> taps = trace(pipe.toString(), inputs(set, 1), "conv_in");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Assert.close("output", g.get("noise_pred.t1"), taps.get("output"), UNetParityTest.TOL);
        assertEquals(List.of("conv_in", "output"), List.copyOf(taps.keySet()));
    }
}
