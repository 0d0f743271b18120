package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

class WhisperConfigTest {
    @Test
    void officialSizes() {
        assertEquals(new WhisperConfig(80, 1500, 384, 6, 4, 51865, 448, 384, 6, 4), WhisperConfig.TINY);
        assertEquals(new WhisperConfig(80, 1500, 512, 8, 6, 51864, 448, 512, 8, 6), WhisperConfig.BASE_EN);
        assertEquals(new WhisperConfig(80, 1500, 768, 12, 12, 51865, 448, 768, 12, 12), WhisperConfig.SMALL);
        assertEquals(new WhisperConfig(80, 1500, 1024, 16, 24, 51864, 448, 1024, 16, 24), WhisperConfig.MEDIUM_EN);
        assertEquals(new WhisperConfig(80, 1500, 1280, 20, 32, 51865, 448, 1280, 20, 32), WhisperConfig.LARGE_V2);
        assertEquals(new WhisperConfig(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 32), WhisperConfig.LARGE_V3);
        assertEquals(new WhisperConfig(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 4), WhisperConfig.TURBO);
        assertEquals(14, WhisperConfig.OFFICIAL.size());
        for (WhisperConfig c : WhisperConfig.OFFICIAL.values()) {
            assertEquals(64, c.nAudioState() / c.nAudioHead());
            assertEquals(c.nVocab() != 51864, c.isMultilingual());
        }
        assertEquals(Optional.of("base.en"), WhisperConfig.BASE_EN.officialName());
        assertEquals(Optional.of("large-v3-turbo"), WhisperConfig.TURBO.officialName());
        assertEquals(Optional.of("large-v3"), WhisperConfig.LARGE_V3.officialName());
        assertEquals(Optional.empty(), new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2).officialName());
    }

    @Test
    void dimsJsonRoundTrip() {
        for (WhisperConfig c : WhisperConfig.OFFICIAL.values()) assertEquals(c, WhisperConfig.fromDimsJson(c.toJson()));
        assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromDimsJson("{\"n_mels\": 80}"));
        assertThrows(IllegalArgumentException.class, () -> new WhisperConfig(80, 1500, 100, 3, 2, 10, 448, 100, 3, 2));
    }

    @Test
    void huggingFaceConfig() {
        // the fields of openai/whisper-base and openai/whisper-large-v3-turbo config.json
        Map<String, Object> base = new LinkedHashMap<>(Json.parseObject("""
                {"model_type": "whisper", "d_model": 512, "encoder_layers": 6, "encoder_attention_heads": 8,
                 "decoder_layers": 6, "decoder_attention_heads": 8, "num_mel_bins": 80, "vocab_size": 51865,
                 "max_source_positions": 1500, "max_target_positions": 448, "encoder_ffn_dim": 2048}"""));
        assertEquals(WhisperConfig.BASE, WhisperConfig.fromHuggingFace(base));
        Map<String, Object> turbo = new LinkedHashMap<>(base);
        turbo.putAll(Map.of("d_model", 1280L, "encoder_layers", 32L, "encoder_attention_heads", 20L, "decoder_layers", 4L,
                "decoder_attention_heads", 20L, "num_mel_bins", 128L, "vocab_size", 51866L));
        assertEquals(WhisperConfig.TURBO, WhisperConfig.fromHuggingFace(turbo));
        base.put("model_type", "clip");
        assertThrows(IllegalArgumentException.class, () -> WhisperConfig.fromHuggingFace(base));
    }

    @Test
    void inferredFromShapesMatchesDims() {
        try (SafeTensors st = SafeTensors.open(SharedData.golden("whisper_tiny_random", "weights.safetensors"))) {
            WhisperConfig fromMeta = WhisperConfig.fromMetadata(st).orElseThrow();
            // tiny random heads are 16 wide, so the 64-wide head guess differs there only
            WhisperConfig inferred = WhisperConfig.inferFromShapes(WhisperNames.of(st));
            assertEquals(new WhisperConfig(80, 1500, 64, 1, 2, 51865, 448, 64, 1, 2), inferred);
            assertEquals(4, fromMeta.nAudioHead());
        }
    }

    @Test
    void sinusoidsMatchTheStoredBuffer() {
        try (SafeTensors st = SafeTensors.open(SharedData.golden("whisper_tiny_random", "weights.safetensors"))) {
            float[] stored = st.get("encoder.positional_embedding").toFloats();
            float[] computed = WhisperModel.sinusoids(1500, 64);
            // the checkpoint holds them rounded to fp16: half an fp16 ulp at 1 is 2^-11
            Assert.close("sinusoids", stored, computed, 4.9e-4, 0);
            assertTrue(Assert.maxAbsDiff(stored, computed) > 0);
        }
        float[] s = WhisperModel.sinusoids(3, 8);
        assertEquals(0f, s[0]);
        assertEquals(1f, s[4]);
        assertEquals((float) Math.sin(1), s[8]);
        assertEquals((float) Math.sin(Math.exp(-Math.log(10000) / 3)), s[9], 1e-7);
    }
}
