package org.synesthesia.vocoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** HiFi-GAN configs from jik876's and diffusers' keys, diffusers' names, resblock type 2, and one-line errors. */
class HifiGanConfigTest {
    @Test
    void jik876LjSpeechV2Config() {
        HifiGanConfig c = HifiGanConfig.fromJson(SharedData.data("weights/hifigan-v2-ljspeech/config.json"));
        assertArrayEquals(new int[] {8, 8, 2, 2}, c.upsampleRates());
        assertArrayEquals(new int[] {16, 16, 4, 4}, c.upsampleKernelSizes());
        assertEquals(1, c.resblock());
        assertEquals(4, c.stages());
        assertEquals(8, c.channels(3));
        assertEquals(22_050, c.samplingRate());
        assertEquals(0.1f, c.leakyReluSlope());
        assertFalse(c.normalizeBefore());
    }

    @Test
    void diffusersKeysAndDefaults() {
        Map<String, Object> m = Json.parseObject("""
                {"_class_name": "SpeechT5HifiGan", "model_in_dim": 64, "sampling_rate": 16000, "upsample_initial_channel": 1024,
                 "upsample_rates": [5, 4, 2, 2, 2], "upsample_kernel_sizes": [16, 16, 8, 4, 4], "resblock_kernel_sizes": [3, 7, 11],
                 "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]], "leaky_relu_slope": 0.1, "normalize_before": false}""");
        HifiGanConfig c = HifiGanConfig.fromMap(m, "config.json"), a = HifiGanConfig.audioldm16k(1024);
        assertEquals(64, c.numMels());
        assertEquals(160, c.hopSize());
        assertEquals(a.melSpectrogram(), c.melSpectrogram());
    }

    @Test
    void badConfigsFailWithOneLineNamingTheFile() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> HifiGanConfig.fromMap(Json.parseObject("{\"upsample_rates\": [8, 8], \"upsample_kernel_sizes\": [16]}"), "cfg.json"));
        assertTrue(e.getMessage().startsWith("cfg.json: "), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> HifiGanConfig.fromMap(Json.parseObject("""
                {"upsample_rates": [8, 8], "upsample_kernel_sizes": [16, 16], "upsample_initial_channel": 64, "resblock": "3",
                 "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1, 3]]}"""), "cfg.json"));
        assertTrue(e.getMessage().contains("resblock"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> HifiGanConfig.fromMap(Json.parseObject("""
                {"upsample_rates": [8, 8], "upsample_kernel_sizes": [4, 16], "upsample_initial_channel": 64,
                 "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1, 3]]}"""), "cfg.json"));
        assertTrue(e.getMessage().contains("rate 8, kernel 4"), e.getMessage());
    }

    /** A diffusers SpeechT5HifiGan folder (upsampler.N, its config.json) gives AudioLDM's golden vocoder output. */
    @Test
    void diffusersVocoderFolder(@TempDir Path dir) throws Exception {
        Map<String, Tensor> w = new LinkedHashMap<>();
        HifiGanAudioLdmTest.vocoderTensors(HifiGanNames.AUDIOLDM_PREFIX).forEach((n, t) -> w.put(n.startsWith("ups.") ? "upsampler." + n.substring(4) : n, t));
        Path voc = Files.createDirectories(dir.resolve("vocoder"));
        SafeTensors.write(voc.resolve("diffusion_pytorch_model.safetensors"), w, Map.of());
        Files.writeString(voc.resolve("config.json"), """
                {"_class_name": "SpeechT5HifiGan", "model_in_dim": 64, "sampling_rate": 16000, "upsample_initial_channel": 64,
                 "upsample_rates": [5, 4, 2, 2, 2], "upsample_kernel_sizes": [16, 16, 8, 4, 4], "resblock_kernel_sizes": [3, 7, 11],
                 "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]], "normalize_before": false}""");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(HifiGanAudioLdmTest.SET, "golden.safetensors"));
        try (HifiGan gan = HifiGan.load(voc)) {
            assertTrue(gan.description().contains("diffusers"), gan.description());
            Tensor mel = g.get("in.vocoder_mel");
            Tensor y = gan.forward(mel.reshape(1, mel.dim(2), 64).permute(0, 2, 1).contiguous());
            Assert.close("vocoder.wave", g.get("vocoder.wave"), y, HifiGanAudioLdmTest.TOL);
        }
    }

    /** Type 2 residual blocks (convs with dilations 1, 3) on random weights: shapes and the [-1, 1] range. */
    @Test
    void resblockType2OnRandomWeights() {
        HifiGanConfig c = new HifiGanConfig(16, new int[] {4, 4}, new int[] {8, 8}, 32, 2, new int[] {3, 5}, new int[][] {{1, 3}, {1, 3}},
                0.1f, false, 8000, 256, 256, 16, 0, 4000);
        MemoryWeightSource src = new MemoryWeightSource("random");
        HifiGan gan = HifiGan.build(Weights.randomInto("HiFi-GAN", 3, src), c);
        assertTrue(src.names().containsAll(List.of("resblocks.3.convs.1.weight", "ups.1.weight", "conv_post.bias")), src.names().toString());
        assertFalse(src.names().stream().anyMatch(n -> n.contains("convs1")));
        float[] x = new float[2 * 16 * 10];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        Tensor y = gan.forward(Tensor.of(x, 2, 16, 10));
        assertArrayEquals(new int[] {2, 1, 160}, y.shape());
        for (float v : y.toArray()) assertTrue(v >= -1 && v <= 1 && !Float.isNaN(v), String.valueOf(v));
    }
}
