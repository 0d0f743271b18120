package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class VaeNamesTest {
    @TempDir
    Path dir;

    @Test
    void ldmNamesForFourLevels() {
        assertEquals("decoder.up_blocks.0.resnets.2.conv1.weight", VaeNames.fromLdm("decoder.up.3.block.2.conv1.weight", 4));
        assertEquals("decoder.up_blocks.3.resnets.0.conv_shortcut.bias", VaeNames.fromLdm("decoder.up.0.block.0.nin_shortcut.bias", 4));
        assertEquals("decoder.up_blocks.2.upsamplers.0.conv.weight", VaeNames.fromLdm("decoder.up.1.upsample.conv.weight", 4));
        assertEquals("encoder.down_blocks.1.downsamplers.0.conv.bias", VaeNames.fromLdm("encoder.down.1.downsample.conv.bias", 4));
        assertEquals("encoder.down_blocks.3.resnets.1.norm2.weight", VaeNames.fromLdm("encoder.down.3.block.1.norm2.weight", 4));
        assertEquals("decoder.mid_block.resnets.1.conv2.weight", VaeNames.fromLdm("decoder.mid.block_2.conv2.weight", 4));
        assertEquals("encoder.mid_block.attentions.0.to_out.0.weight", VaeNames.fromLdm("encoder.mid.attn_1.proj_out.weight", 4));
        assertEquals("decoder.mid_block.attentions.0.group_norm.bias", VaeNames.fromLdm("decoder.mid.attn_1.norm.bias", 4));
        assertEquals("decoder.mid_block.attentions.0.to_k.weight", VaeNames.fromLdm("decoder.mid.attn_1.k.weight", 4));
        assertEquals("decoder.conv_norm_out.weight", VaeNames.fromLdm("decoder.norm_out.weight", 4));
        assertEquals("post_quant_conv.weight", VaeNames.fromLdm("post_quant_conv.weight", 4));
        assertEquals("encoder.mid_block.attentions.0.to_v.bias", VaeNames.fromOldDiffusers("encoder.mid_block.attentions.0.value.bias"));
        assertEquals("decoder.mid_block.attentions.0.to_out.0.weight", VaeNames.fromOldDiffusers("decoder.mid_block.attentions.0.proj_attn.weight"));
    }

    @Test
    void goldenLdmFileMapsOntoDiffusersNamesExactly() {
        try (WeightSource ldm = WeightSources.open(SharedData.golden("vae_random", "weights_ldm.safetensors"));
             WeightSource dif = WeightSources.open(SharedData.golden("vae_random", "weights_diffusers.safetensors"))) {
            assertEquals("first_stage_model.", VaeNames.prefix(ldm.names()));
            assertTrue(VaeNames.isLdm(ldm.names(), "first_stage_model."));
            assertFalse(VaeNames.isLdm(dif.names(), ""));
            Map<String, String> m = VaeNames.toDiffusers(ldm.names());
            assertEquals(new TreeSet<>(dif.names()), new TreeSet<>(m.keySet()));
            assertEquals("first_stage_model.decoder.up.1.upsample.conv.weight", m.get("decoder.up_blocks.0.upsamplers.0.conv.weight"));
            for (var e : m.entrySet()) {
                long[] a = ldm.get(e.getValue()).shape(), b = dif.get(e.getKey()).shape();
                assertEquals(ldm.get(e.getValue()).elements(), dif.get(e.getKey()).elements(), e.getKey());
                if (!e.getKey().contains("attentions")) assertArrayEquals(b, a, e.getKey());
            }
        }
        assertNull(VaeNames.prefix(List.of("conv_in.weight", "time_embedding.linear_1.weight")));
    }

    @Test
    void realConfigs() {
        for (String v : List.of("sd15", "sd21")) {
            VaeConfig c = VaeConfig.fromJson(SharedData.data("configs/" + v + "/vae/config.json"));
            assertArrayEquals(new int[] {128, 256, 512, 512}, c.blockOutChannels(), v);
            assertEquals(2, c.layersPerBlock());
            assertEquals(4, c.latentChannels());
            assertEquals(8, c.downscale());
            assertEquals(0.18215, c.scalingFactor(), 0, "scaling_factor default");
            if (v.equals("sd15")) assertEquals(VaeConfig.stableDiffusion(), c);
            else assertEquals(768, c.sampleSize());
        }
    }

    @Test
    void badConfig() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"_class_name\": \"AutoencoderKL\", \"up_block_types\": [\"AttnUpDecoderBlock2D\"]}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> VaeConfig.fromJson(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("AttnUpDecoderBlock2D"), e.getMessage());
        Files.writeString(f, "{\"block_out_channels\": [30, 64]}");
        e = assertThrows(SynesthesiaException.class, () -> VaeConfig.fromJson(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        Files.writeString(f, "{\"block_out_channels\": ");
        e = assertThrows(SynesthesiaException.class, () -> VaeConfig.fromJson(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    /** Missing and misshapen tensors give one-line errors naming the file and the tensor. */
    @Test
    void badCheckpoints() throws Exception {
        Map<String, Tensor> all = SafeTensors.readAll(SharedData.golden("vae_random", "weights_diffusers.safetensors"));
        Map<String, Tensor> missing = new LinkedHashMap<>(all);
        missing.remove("decoder.up_blocks.1.resnets.0.conv_shortcut.bias");
        Path f1 = dir.resolve("missing.safetensors");
        SafeTensors.write(f1, missing, Map.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AutoencoderKL.load(f1));
        assertTrue(e.getMessage().contains(f1.toString()) && e.getMessage().contains("decoder.up_blocks.1.resnets.0.conv_shortcut.bias")
                && !e.getMessage().contains("\n"), e.getMessage());

        Map<String, Tensor> wrong = new LinkedHashMap<>(all);
        wrong.put("decoder.mid_block.attentions.0.to_q.weight", Tensor.zeros(64, 32));
        Path f2 = dir.resolve("wrong.safetensors");
        SafeTensors.write(f2, wrong, Map.of());
        e = assertThrows(SynesthesiaException.class, () -> AutoencoderKL.load(f2));
        assertTrue(e.getMessage().contains(f2.toString()) && e.getMessage().contains("to_q.weight") && e.getMessage().contains("[64, 32]"), e.getMessage());

        Map<String, Tensor> conv = new LinkedHashMap<>(all);
        conv.put("decoder.conv_out.weight", Tensor.zeros(3, 32, 1, 1));
        Path f3 = dir.resolve("conv.safetensors");
        SafeTensors.write(f3, conv, Map.of());
        e = assertThrows(SynesthesiaException.class, () -> AutoencoderKL.load(f3));
        assertTrue(e.getMessage().contains(f3.toString()) && e.getMessage().contains("decoder.conv_out.weight"), e.getMessage());

        Path f4 = dir.resolve("none.safetensors");
        SafeTensors.write(f4, Map.of("x", Tensor.zeros(2)), Map.of());
        e = assertThrows(SynesthesiaException.class, () -> AutoencoderKL.load(f4));
        assertTrue(e.getMessage().contains(f4.toString()), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Taesd.load(f4));
        assertTrue(e.getMessage().contains(f4.toString()), e.getMessage());

        try (AutoencoderKL vae = AutoencoderKL.load(SharedData.golden("vae_random", "weights_diffusers.safetensors"))) {
            e = assertThrows(SynesthesiaException.class, () -> vae.decode(Tensor.zeros(1, 3, 8, 8)));
            assertTrue(e.getMessage().contains("[1, 3, 8, 8]"), e.getMessage());
        }
    }

    /** A decoder-only checkpoint (what a pipeline needs) loads; encoding is then an error. */
    @Test
    void decoderOnly() throws Exception {
        Map<String, Tensor> all = SafeTensors.readAll(SharedData.golden("vae_random", "weights_diffusers.safetensors"));
        Map<String, Tensor> dec = new LinkedHashMap<>();
        all.forEach((k, v) -> { if (k.startsWith("decoder.") || k.startsWith("post_quant_conv.")) dec.put(k, v); });
        Path f = dir.resolve("dec.safetensors");
        SafeTensors.write(f, dec, Map.of());
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("vae_random", "golden.safetensors"));
        try (AutoencoderKL vae = AutoencoderKL.load(f)) {
            assertFalse(vae.hasEncoder());
            org.synesthesia.testing.Assert.close("decoded", g.get("decoded"), vae.decode(g.get("latent_z")), AutoencoderKLParityTest.TOL);
            assertThrows(SynesthesiaException.class, () -> vae.encode(g.get("image")));
        }
    }
}
