package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Weights;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class UNetNamesTest {
    @Test
    void singleNames() {
        assertEquals("conv_in.weight", UNetNames.toDiffusers("input_blocks.0.0.weight", 2));
        assertEquals("down_blocks.0.resnets.1.norm1.weight", UNetNames.toDiffusers("input_blocks.2.0.in_layers.0.weight", 2));
        assertEquals("down_blocks.0.attentions.0.proj_in.weight", UNetNames.toDiffusers("input_blocks.1.1.proj_in.weight", 2));
        assertEquals("down_blocks.0.downsamplers.0.conv.bias", UNetNames.toDiffusers("input_blocks.3.0.op.bias", 2));
        assertEquals("down_blocks.3.resnets.1.conv_shortcut.weight", UNetNames.toDiffusers("input_blocks.11.0.skip_connection.weight", 2));
        assertEquals("mid_block.resnets.1.time_emb_proj.bias", UNetNames.toDiffusers("middle_block.2.emb_layers.1.bias", 2));
        assertEquals("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                UNetNames.toDiffusers("middle_block.1.transformer_blocks.0.attn2.to_k.weight", 2));
        assertEquals("up_blocks.0.upsamplers.0.conv.weight", UNetNames.toDiffusers("output_blocks.2.1.conv.weight", 2));
        assertEquals("up_blocks.1.upsamplers.0.conv.weight", UNetNames.toDiffusers("output_blocks.5.2.conv.weight", 2));
        assertEquals("up_blocks.1.attentions.2.norm.bias", UNetNames.toDiffusers("output_blocks.5.1.norm.bias", 2));
        assertEquals("up_blocks.3.resnets.2.conv2.weight", UNetNames.toDiffusers("output_blocks.11.0.out_layers.3.weight", 2));
        assertEquals("time_embedding.linear_2.bias", UNetNames.toDiffusers("time_embed.2.bias", 2));
        assertEquals("conv_norm_out.weight", UNetNames.toDiffusers("out.0.weight", 2));
        assertEquals("conv_out.bias", UNetNames.toDiffusers("out.2.bias", 2));
        assertNull(UNetNames.toDiffusers("first_stage_model.decoder.conv_in.weight", 2));
    }

    /** The golden's LDM file maps onto exactly the diffusers file's names, with the same shapes (up to 1x1 conv vs Linear). */
    @Test
    void ldmGoldenMapsOntoDiffusersGolden() {
        for (String set : List.of("unet_random_sd1", "unet_random_sd2"))
            try (WeightSource ldm = WeightSources.open(SharedData.golden(set, "weights_ldm.safetensors"));
                 WeightSource dif = WeightSources.open(SharedData.golden(set, "weights_diffusers.safetensors"))) {
                assertTrue(UNetNames.isLdm(ldm.names()));
                assertFalse(UNetNames.isLdm(dif.names()));
                assertEquals(2, UNetNames.ldmLayersPerBlock(ldm.names()));
                Map<String, String> map = UNetNames.ldmToDiffusers(ldm.names(), 2);
                assertEquals(new TreeSet<>(dif.names()), new TreeSet<>(map.keySet()), set);
                assertEquals(ldm.names().size(), map.size());
                for (var e : map.entrySet()) {
                    long n1 = ldm.get(e.getValue()).elements(), n2 = dif.get(e.getKey()).elements();
                    assertEquals(n2, n1, e.getKey());
                    assertArrayEquals(dif.get(e.getKey()).toFloats(), ldm.get(e.getValue()).toFloats(), e.getKey());
                }
            }
    }

    @Test
    void configInferredFromWeights() {
        try (WeightSource src = WeightSources.open(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"))) {
            UNetConfig c = UNetConfig.inferFrom(UNet2DConditionModel.weights(src, -1));
            assertArrayEquals(new int[] {32, 64, 64, 64}, c.blockOutChannels());
            assertArrayEquals(new int[] {8, 8, 8, 8}, c.heads());
            assertEquals(List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"), c.downBlockTypes());
            assertEquals(List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), c.upBlockTypes());
            assertEquals(64, c.crossAttentionDim());
            assertFalse(c.useLinearProjection());
            assertEquals(2, c.layersPerBlock());
            assertEquals(1, c.transformerLayers());
        }
    }

    /** A config that disagrees with the weights fails with one line naming the file and tensor. */
    @Test
    void shapeMismatchNamesFileAndTensor() throws Exception {
        UNetConfig c = UNetParityTest.goldenConfig("unet_random_sd1");
        UNetConfig wrong = new UNetConfig(c.sampleSize(), c.inChannels(), c.outChannels(), true, 0, c.downBlockTypes(), c.midBlockType(),
                c.upBlockTypes(), c.blockOutChannels(), c.layersPerBlock(), 1, 1, 32, 1e-5f, 32, c.heads(), false, false, 1);
        try (WeightSource src = WeightSources.open(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"))) {
            Weights w = UNet2DConditionModel.weights(src, -1);
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new UNet2DConditionModel(wrong, w));
            assertTrue(e.getMessage().contains("weights_ldm.safetensors") && e.getMessage().contains("to_k"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void notAUnet() {
        try (WeightSource src = WeightSources.open(SharedData.golden("vae_random", "weights_diffusers.safetensors"))) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> UNet2DConditionModel.weights(src, -1));
            assertTrue(e.getMessage().contains("no UNet tensors"), e.getMessage());
        }
    }
}
