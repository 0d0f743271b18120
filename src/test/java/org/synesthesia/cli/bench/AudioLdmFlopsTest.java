package org.synesthesia.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.synesthesia.diffusion.RandomWeightSource;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * The analytic FLOP walk over AudioLDM's layers agrees with a count from the weights themselves: 2 x (weight
 * elements) x (output positions at the tensor's resolution, read from its name) per convolution or token Linear,
 * plus 2 x 2 L^2 C per self-attention.
 */
class AudioLdmFlopsTest {
    @Test
    void unetWalkMatchesTheWeights() {
        UNetConfig c = UNetConfig.audioLdm(32);
        int N = 2, H = 64, W = 16;
        try (MemoryWeightSource ms = UNet2DConditionModel.randomCheckpoint(c, 1)) {
            double f = 0;
            int n = c.levels();
            for (String name : ms.names()) {
                StoredTensor t = ms.find(name).orElseThrow();
                if (t.rank() < 2 || name.contains("time_embedding") || name.contains("class_embedding") || name.contains("time_emb_proj")) continue;
                int level = level(name, n);
                long positions = (long) (H >> level) * (W >> level);
                f += 2.0 * N * t.elements() * positions;
                if (name.endsWith("attn1.to_q.weight")) f += 2 * 2.0 * N * 2.0 * positions * positions * t.shape()[0];
            }
            assertEquals(f, AudioLdmFlops.unet(c, N, H, W), 1e-9 * f);
        }
    }

    @Test
    void vaeWalkMatchesTheWeights() {
        VaeConfig c = new VaeConfig(1, 1, new int[] {32, 64, 128}, 2, 8, 32, 1, 512);
        int H = 64, W = 16, n = c.levels();
        WeightSource src = new RandomWeightSource(RandomWeightSource.sdVaeDecoder(c), 1, Arena.global(), "vae");
        double f = 0;
        for (String name : src.names()) {
            long[] s = shape(src, name);
            if (s.length < 2) continue;
            int scale = 1; // decoder up block i runs at 2^i, its upsampler writes 2^(i+1)
            if (name.startsWith("decoder.up_blocks.")) {
                int i = Integer.parseInt(name.split("\\.")[2]);
                scale = 1 << (name.contains("upsamplers") ? i + 1 : i);
            } else if (name.startsWith("decoder.conv_out")) scale = 1 << (n - 1);
            long positions = (long) H * scale * W * scale;
            long numel = 1;
            for (long d : s) numel *= d;
            f += 2.0 * numel * positions;
            if (name.endsWith("attentions.0.to_q.weight")) f += 2.0 * 2.0 * positions * positions * s[0];
        }
        assertEquals(f, AudioLdmFlops.vaeDecode(c, H, W), 1e-9 * f);
    }

    @Test
    void vocoderByHand() {
        HifiGanConfig c = HifiGanConfig.audioldm16k(64);
        int frames = 10;
        double f = 2.0 * 64 * 64 * 7 * frames; // conv_pre
        long len = frames;
        int ch = 64;
        int[] rates = {5, 4, 2, 2, 2}, kernels = {16, 16, 8, 4, 4};
        for (int i = 0; i < 5; i++) {
            f += 2.0 * ch * (ch / 2) * kernels[i] * len;
            ch /= 2;
            len = len * rates[i] + (kernels[i] - rates[i]) % 2;
            for (int k : new int[] {3, 7, 11}) f += 6 * 2.0 * ch * ch * k * len;
        }
        f += 2.0 * ch * 7 * len;
        assertEquals(f, AudioLdmFlops.vocoder(c, frames), 1e-9 * f);
    }

    /** The resolution level (0 = full) whose output positions a UNet tensor's layer writes. */
    private static int level(String name, int n) {
        String[] p = name.split("\\.");
        int i = p.length > 1 && p[1].matches("\\d+") ? Integer.parseInt(p[1]) : 0;
        if (name.startsWith("down_blocks.")) return name.contains("downsamplers") ? i + 1 : i;
        if (name.startsWith("up_blocks.")) return name.contains("upsamplers") ? n - 2 - i : n - 1 - i;
        if (name.startsWith("mid_block.")) return n - 1;
        return 0;
    }

    private static long[] shape(WeightSource src, String name) {
        return src.find(name).orElseThrow().shape();
    }
}
