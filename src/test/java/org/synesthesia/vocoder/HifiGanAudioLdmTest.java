package org.synesthesia.vocoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.Traces;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/** AudioLDM's 16 kHz HiFi-GAN (audioldm_random, reduced to 64 channels) under the checkpoint's own names. */
class HifiGanAudioLdmTest {
    static final String SET = "audioldm_random";
    /** fp32 vs fp64 8e-8 at max |ref| 0.17. */
    static final double TOL = 1e-6;

    @Test
    void configFromTheGoldensJsonIsAudioLdms16kOne() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) ReadFile.jsonObject(SharedData.golden(SET, "golden.json"), "json").get("vocoder_config_used");
        HifiGanConfig c = HifiGanConfig.fromMap(m, "golden.json"), a = HifiGanConfig.audioldm16k(64);
        assertArrayEquals(a.upsampleRates(), c.upsampleRates());
        assertArrayEquals(a.upsampleKernelSizes(), c.upsampleKernelSizes());
        assertArrayEquals(a.resblockKernelSizes(), c.resblockKernelSizes());
        assertArrayEquals(a.resblockDilations(), c.resblockDilations());
        assertEquals(a.melSpectrogram(), c.melSpectrogram());
        assertEquals(64, c.upsampleInitialChannel());
        assertEquals(160, c.samplesPerFrame());
    }

    @Test
    void vocoderOutputMatches() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        try (HifiGan gan = HifiGan.load(SharedData.golden(SET, "weights.safetensors"))) {
            assertTrue(gan.description().contains(HifiGanNames.AUDIOLDM_PREFIX), gan.description());
            Tensor mel = g.get("in.vocoder_mel"); // [1, 1, frames, 64] -> [1, 64, frames]
            Tensor x = mel.reshape(1, mel.dim(2), 64).permute(0, 2, 1).contiguous();
            Tensor y = gan.forward(x);
            System.err.printf("audioldm vocoder: max |diff| %.3g%n", Assert.maxAbsDiff(g.get("vocoder.wave").toArray(), y.toArray()));
            Assert.close("vocoder.wave", g.get("vocoder.wave"), y, TOL);
        }
    }

    /** The checkpoint's vocoder alone, still under AudioLDM's names (a full checkpoint's --part belongs to the VAE family first). */
    @Test
    void traceTakesAudioLdmsMelLayout(@TempDir Path dir) throws Exception {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        Path f = dir.resolve("vocoder.safetensors");
        SafeTensors.write(f, vocoderTensors(""), Map.of());
        Map<String, Tensor> taps = Traces.run(dir, f, Map.of("mel", g.get("in.vocoder_mel")), "--capture", "ups.4");
        Assert.close("vocoder.wave", g.get("vocoder.wave"), taps.get("output"), TOL);
        assertArrayEquals(new int[] {1, 2, 40992}, taps.get("ups.4").shape());
    }

    @Test
    void aGeneratorWithoutItsConfigFailsWithOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gen.safetensors");
        SafeTensors.write(f, vocoderTensors(HifiGanNames.AUDIOLDM_PREFIX), Map.of());
        SynesthesiaException e = org.junit.jupiter.api.Assertions.assertThrows(SynesthesiaException.class, () -> HifiGan.load(f));
        assertTrue(e.getMessage().contains("gen.safetensors") && e.getMessage().contains("config.json"), e.getMessage());
    }

    /** The golden checkpoint's vocoder tensors, {@code strip} removed from their names. */
    static Map<String, Tensor> vocoderTensors(String strip) {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>();
        try (var src = org.synesthesia.io.WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            for (String n : src.names())
                if (n.startsWith(HifiGanNames.AUDIOLDM_PREFIX)) {
                    var t = src.get(n);
                    int[] shape = java.util.Arrays.stream(t.shape()).mapToInt(Math::toIntExact).toArray();
                    w.put(n.substring(strip.length()), Tensor.of(t.toFloats(), shape));
                }
        }
        return w;
    }
}
