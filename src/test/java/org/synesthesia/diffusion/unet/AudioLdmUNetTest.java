package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * AudioLDM's UNet (LDM openaimodel names under {@code model.diffusion_model.}, model_channels 32, channel_mult
 * [1, 2, 3, 5], attention at levels 1-3 with heads of width 32 and attn2 as self-attention, film_emb on the 512-d
 * CLAP vector concatenated to the time embedding) is our UNet2DConditionModel in {@link UNetConfig#audioLdm}: the
 * golden latent [1, 8, 64, 16] at t = 801 and t = 1 with the cond and uncond vectors gives the golden predictions.
 */
class AudioLdmUNetTest {
    static final String SET = "audioldm_random";
    /**
     * The reference's own fp32 vs fp64 difference on these predictions is at most 5.1e-6 (golden.json, outputs up to
     * 1.9); ours measures 5.5e-6 (a different fp32 summation order, same order of magnitude). Held to 2e-5.
     */
    static final double TOL = 2e-5;
    /** Time embeddings (a sinusoid, then small Linears) on values up to ~1: measured 9.5e-7 (sinusoid), 1.2e-7 (emb). */
    static final double EMB_TOL = 1e-5;

    private static UNet2DConditionModel load(WeightSource src, UNetConfig c) {
        Weights w = UNet2DConditionModel.weights(src, -1);
        assertEquals("LDM names", w.layout());
        return new UNet2DConditionModel(c, w);
    }

    @ParameterizedTest
    @CsvSource({"801, eps, in.cond_film", "801, eps_uncond, in.uncond_film", "1, eps, in.cond_film", "1, eps_uncond, in.uncond_film"})
    void predictionsMatchTheReference(int t, String output, String film) {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            UNet2DConditionModel unet = load(src, UNetConfig.audioLdm(32));
            Tracer tracer = Tracer.of("time_proj", "time_embedding", "class_embedding");
            Tensor eps = unet.forward(g.get("in.unet_x"), t, null, g.get(film), tracer);
            Assert.close("unet." + output + ".t" + t, g.get("unet." + output + ".t" + t), eps, TOL);
            if (t == 801 && output.equals("eps")) {
                Map<String, Tensor> taps = tracer.captured();
                Assert.close("unet.t_emb.t801", g.get("unet.t_emb.t801"), taps.get("time_proj"), EMB_TOL);
                float[] te = taps.get("time_embedding").toArray(), ce = taps.get("class_embedding").toArray();
                float[] emb = new float[te.length + ce.length];
                System.arraycopy(te, 0, emb, 0, te.length);
                System.arraycopy(ce, 0, emb, te.length, ce.length);
                Assert.close("unet.emb.t801", g.get("unet.emb.t801"), Tensor.of(emb, 1, emb.length), EMB_TOL);
            }
        }
    }

    /**
     * A diffusers AudioLDM {@code unet/} (the LDM names renamed as diffusers' conversion does: film_emb ->
     * class_embedding, ...) with its config.json, traced by {@code synesthesia trace} with {@code class_labels}.
     */
    @Test
    void diffusersFolderTraced(@TempDir Path dir) throws Exception {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        Map<String, Tensor> all = SafeTensors.readAll(SharedData.golden(SET, "weights.safetensors"));
        Map<String, Tensor> renamed = new TreeMap<>();
        UNetNames.ldmToDiffusers(all.keySet(), 2).forEach((d, stored) -> renamed.put(d, all.get(stored)));
        assertTrue(renamed.containsKey("class_embedding.weight"));
        Path unet = Files.createDirectories(dir.resolve("unet"));
        SafeTensors.write(unet.resolve("diffusion_pytorch_model.safetensors"), renamed, Map.of());
        Files.writeString(unet.resolve("config.json"), Json.write(UNetConfig.audioLdm(32).toMap()));
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        SafeTensors.write(in, Map.of("sample", g.get("in.unet_x"), "timestep", Tensor.of(new float[] {801}),
                "class_labels", g.get("in.cond_film")), Map.of());
        assertEquals(0, Main.run("--quiet", "trace", unet.toString(), "--inputs", in.toString(), "--out", out.toString()));
        Assert.close("trace output", g.get("unet.eps.t801"), SafeTensors.readAll(out).get("output"), TOL);
    }

    /** The config read off the weights is AudioLDM's (class embedding 512 concatenated, self-attention, heads ch/32). */
    @Test
    void configInferredFromTheWeights() {
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            Weights w = UNet2DConditionModel.weights(src, -1);
            assertEquals(UNetConfig.audioLdm(32).toString(), UNetConfig.inferFrom(w).toString());
        }
    }

    /** diffusers' AudioLDM config keys (cross_attention_dim = block_out_channels, simple_projection, concat) read back. */
    @Test
    void diffusersConfigRoundTrip() {
        UNetConfig c = UNetConfig.audioLdm(128);
        Map<String, Object> m = c.toMap();
        assertEquals("simple_projection", m.get("class_embed_type"));
        assertEquals(c, UNetConfig.fromJson(m));
        assertEquals(1024, c.resnetEmbedDim());
    }
}
