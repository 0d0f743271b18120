package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;

/** The registry recognises each golden checkpoint as the families it holds and names their tensors canonically. */
class ModelFamilyTest {
    @Test
    void registryListsEveryFamilyOnce() {
        assertEquals(List.of("whisper", "clip-text", "clip-vision", "unet", "vae", "hifigan", "clap-text"), ModelFamily.all().stream().map(ModelFamily::id).toList());
    }

    @Test
    void recognisesEachGoldenAsItsFamily(@TempDir Path dir) throws Exception {
        assertFamilies(SharedData.golden("whisper_tiny_random", "weights.safetensors"), "whisper");
        assertFamilies(SharedData.golden("whisper_tiny_random", "model.pt"), "whisper");
        assertFamilies(SharedData.golden("clip_text_random_gelu", "weights.safetensors"), "clip-text");
        assertFamilies(SharedData.golden("clip_text_random_gelu", "weights_ldm_openclip.safetensors"), "clip-text");
        assertFamilies(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"), "unet");
        assertFamilies(SharedData.golden("unet_random_sd1", "weights_diffusers.safetensors"), "unet");
        assertFamilies(SharedData.golden("vae_random", "weights_ldm.safetensors"), "vae");
        assertFamilies(SharedData.data("weights/taesd-decoder/taesd-decoder.gguf"), "vae");
        assertFamilies(SdTinyFolder.sd1(dir), "clip-text", "unet", "vae");
        assertFamilies(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"), "hifigan");
        assertFamilies(SharedData.golden("clap_text_random", "weights.safetensors"), "clap-text");
        assertFamilies(SharedData.golden("clip_vision_random", "weights.safetensors"), "clip-vision");
    }

    @Test
    void bothUNetLayoutsGiveTheSameCanonicalNamesAndTensors() {
        Map<String, String> ldm = canonical(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"), "unet");
        Map<String, String> diffusers = canonical(SharedData.golden("unet_random_sd1", "weights_diffusers.safetensors"), "unet");
        assertEquals(diffusers, ldm);
        assertTrue(ldm.size() > 100, ldm.size() + " tensors");
    }

    private static void assertFamilies(Path p, String... ids) {
        try (WeightSource src = WeightSources.open(p)) {
            assertEquals(List.of(ids), ModelFamily.recognising(src).stream().map(ModelFamily::id).toList(), p.toString());
        }
    }

    /** canonical name -> shape and a checksum of the stored values, for the family {@code id}. */
    private static Map<String, String> canonical(Path p, String id) {
        ModelFamily f = ModelFamily.all().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        Map<String, String> out = new TreeMap<>();
        try (WeightSource src = WeightSources.open(p)) {
            f.names(src).canonicalToStored().forEach((canonical, stored) -> {
                var t = src.get(stored);
                out.put(canonical, t.shapeString() + " " + java.util.Arrays.hashCode(t.toFloats()));
            });
        }
        return out;
    }
}
