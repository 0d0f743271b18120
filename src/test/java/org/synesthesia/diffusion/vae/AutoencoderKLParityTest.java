package org.synesthesia.diffusion.vae;

import org.synesthesia.diffusion.StableDiffusionPipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/** AutoencoderKL against the vae_random golden (diffusers v0.25), from diffusers and LDM weight names. */
class AutoencoderKLParityTest {
    static final String SET = "vae_random";
    static final double TOL = 1e-4;
    static Map<String, Tensor> golden;
    static Map<String, Tensor> inter;
    static VaeConfig config;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        inter = SafeTensors.readAll(SharedData.golden(SET, "intermediates.safetensors"));
        Map<String, Object> g = Json.parseObject(java.nio.file.Files.readString(SharedData.golden(SET, "golden.json")));
        config = VaeConfig.fromMap((Map<String, Object>) g.get("config_full"), "golden.json");
    }

    static AutoencoderKL open(String file, boolean withConfig) {
        return AutoencoderKL.load(org.synesthesia.io.WeightSources.open(SharedData.golden(SET, file)), withConfig ? config : null, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights_diffusers.safetensors", "weights_ldm.safetensors"})
    void decode(String file) {
        try (AutoencoderKL vae = open(file, true)) {
            Tracer tr = Tracer.of("**");
            Tensor y = vae.decode(golden.get("latent_z"), tr);
            Assert.close("decoded", golden.get("decoded"), y, TOL);
            Map<String, Tensor> taps = tr.captured();
            int n = 0;
            for (var e : inter.entrySet()) {
                if (!e.getKey().startsWith("decode.")) continue;
                String name = e.getKey().substring("decode.".length());
                assertTrue(taps.containsKey(name), "captured " + name);
                Assert.close(name, e.getValue(), taps.get(name), TOL);
                n++;
            }
            assertEquals(10, n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights_diffusers.safetensors", "weights_ldm.safetensors"})
    void encode(String file) {
        try (AutoencoderKL vae = open(file, true)) {
            Tracer tr = Tracer.of("encoder.**", "quant_conv");
            DiagonalGaussian d = vae.encode(golden.get("image"), tr);
            Assert.close("enc.moments", golden.get("enc.moments"), d.moments(), TOL);
            Assert.close("enc.mean", golden.get("enc.mean"), d.mean(), TOL);
            Assert.close("enc.logvar", golden.get("enc.logvar"), d.logvar(), TOL);
            Assert.close("enc.std", golden.get("enc.std"), d.std(), TOL);
            Map<String, Tensor> taps = tr.captured();
            int n = 0;
            for (var e : inter.entrySet()) {
                if (!e.getKey().startsWith("encode.")) continue;
                String name = e.getKey().substring("encode.".length());
                assertTrue(taps.containsKey(name), "captured " + name);
                Assert.close(name, e.getValue(), taps.get(name), TOL);
                n++;
            }
            assertEquals(7, n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights_diffusers.safetensors", "weights_ldm.safetensors"})
    void inferredConfigMatchesGolden(String file) {
        try (AutoencoderKL vae = open(file, false)) {
            VaeConfig c = vae.config();
            assertEquals(config, new VaeConfig(c.inChannels(), c.outChannels(), c.blockOutChannels(), c.layersPerBlock(),
                    c.latentChannels(), c.normNumGroups(), c.scalingFactor(), config.sampleSize()));
            Assert.close("decoded", golden.get("decoded"), vae.decode(golden.get("latent_z")), TOL);
        }
    }

    /**
     * A diffusers pipeline folder laid out as a user's download (model_index.json, vae/config.json, vae/weights),
     * built in a temporary folder over the golden weights (sd_tiny's links are not usable here).
     */
    static Path pipelineFolder(Path dir) throws Exception {
        Path vae = Files.createDirectories(dir.resolve("vae"));
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\", \"vae\": [\"diffusers\", \"AutoencoderKL\"]}");
        Files.copy(SharedData.golden("sd_tiny", "vae/config.json"), vae.resolve("config.json"));
        Files.createSymbolicLink(vae.resolve("diffusion_pytorch_model.safetensors"), SharedData.golden(SET, "weights_diffusers.safetensors").toAbsolutePath());
        return dir;
    }

    @Test
    void diffusersFoldersAndDecodeLatents(@TempDir Path dir) throws Exception {
        Path root = pipelineFolder(dir);
        try (AutoencoderKL vae = AutoencoderKL.load(root.resolve("vae"))) {
            assertEquals(config, vae.config());
            float[] z = golden.get("latent_z").toArray();
            for (int i = 0; i < z.length; i++) z[i] *= 0.18215f;
            Assert.close("decoded", golden.get("decoded"), vae.decodeLatents(Tensor.of(z, 1, 4, 8, 8)), TOL);
        }
        try (AutoencoderKL vae = AutoencoderKL.load(root)) {
            assertTrue(vae.hasEncoder() && vae.hasDecoder());
            Assert.close("decoded", golden.get("decoded"), vae.decode(golden.get("latent_z")), TOL);
        }
    }
}
