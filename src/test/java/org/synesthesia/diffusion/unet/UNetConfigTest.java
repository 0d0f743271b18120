package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class UNetConfigTest {
    @TempDir
    Path dir;

    @Test
    void realConfigs() {
        UNetConfig sd15 = UNetConfig.read(SharedData.data("configs/sd15/unet/config.json"));
        assertArrayEquals(new int[] {8, 8, 8, 8}, sd15.heads());
        assertEquals(768, sd15.crossAttentionDim());
        assertFalse(sd15.useLinearProjection());
        assertEquals(1280, sd15.timeEmbedDim());
        assertEquals(UNetConfig.sd1(), sd15);

        UNetConfig sd21 = UNetConfig.read(SharedData.data("configs/sd21/unet/config.json"));
        assertArrayEquals(new int[] {5, 10, 20, 20}, sd21.heads()); // attention_head_dim lists head counts: width 64
        assertEquals(1024, sd21.crossAttentionDim());
        assertTrue(sd21.useLinearProjection() && sd21.upcastAttention());
        assertEquals(UNetConfig.sd2(), sd21);
    }

    @Test
    void goldenConfigs() throws Exception {
        assertArrayEquals(new int[] {2, 4, 4, 4}, UNetParityTest.goldenConfig("unet_random_sd2").heads());
        assertArrayEquals(new int[] {8, 8, 8, 8}, UNetParityTest.goldenConfig("unet_random_sd1").heads());
    }

    @Test
    void unsupportedAndBadConfigs() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"_class_name\": \"UNet2DConditionModel\", \"block_out_channels\": [320, 640, 1280, 1280], \"class_embed_type\": \"timestep\"}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> UNetConfig.read(f));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("class_embed_type"), e.getMessage());
        Files.writeString(f, "{\"block_out_channels\": [320, 640, 1280, 1280], \"attention_head_dim\": 7}");
        e = assertThrows(SynesthesiaException.class, () -> UNetConfig.read(f));
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
        Files.writeString(f, "{\"block_out_channels\": [320, 640");
        assertThrows(SynesthesiaException.class, () -> UNetConfig.read(f));
        assertThrows(SynesthesiaException.class, () -> UNetConfig.read(dir.resolve("missing.json")));
    }
}
