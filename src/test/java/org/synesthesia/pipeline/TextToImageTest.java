package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/**
 * Text to image as a library on the tiny diffusers folder: pipeline_tiny's golden image from its latents, the size
 * taken from the latents, previews on the steps asked for, numbered files, one-line errors for bad latents.
 */
class TextToImageTest {
    static final String PROMPT = "a photograph of an astronaut riding a horse";

    @TempDir Path tmp;
    Path model;
    Map<String, Tensor> golden;

    @BeforeEach
    void setUp() throws IOException {
        model = SdTinyFolder.sd1(tmp);
        golden = SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
    }

    @Test
    void latentsGiveTheGoldenImageAndTheirSize() throws IOException {
        Path lat = SdTinyFolder.initialLatents(tmp);
        RecordingListener l = new RecordingListener();
        GenerationSettings s = new GenerationSettings(null, 10, "ddim", 7.5, 1, null, null, null, lat, null, 0, null);
        TextToImage.Result r = new TextToImage("test", l).generate(ModelFiles.of(model), PROMPT, s);
        Assert.close("image", golden.get("image"), r.images(), 1e-4);
        assertEquals(16, r.width());
        assertEquals(16, r.height());
        assertEquals(List.of("start LOAD_SD", "finish LOAD_SD", "start DENOISE", "finish DENOISE", "start VAE_DECODE", "finish VAE_DECODE"), l.stages());
        assertEquals(10, l.steps().size());
        assertEquals("step 10/10", l.steps().get(9));
        assertEquals(PROMPT + "\nNegative prompt: \nSteps: 10, Sampler: ddim, CFG scale: 7.5, Seed: 1, Size: 16x16, Model: sd_tiny", r.parameters());
    }

    @Test
    void previewsOnTheAskedStepsAndNumberedFiles() {
        Path taesd = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        RecordingListener l = new RecordingListener();
        GenerationSettings s = new GenerationSettings("", 3, "euler-a", 7.5, 3, 32, 16, 2, null, null, 2, taesd);
        TextToImage t2i = new TextToImage("test", l);
        TextToImage.Result r = t2i.generate(ModelFiles.of(model), "", s);
        assertArrayEquals(new int[] {2, 3, 16, 32}, r.images().shape());
        assertEquals(List.of("start LOAD_SD", "finish LOAD_SD", "start LOAD_TAESD", "finish LOAD_TAESD"), l.stages().subList(0, 4));
        assertEquals(2, l.previews.size(), "steps 2 and 3 (the last)");
        for (Tensor p : l.previews) assertEquals(List.of(4, 1, 3), List.of(p.rank(), p.dim(0), p.dim(1)), "[1, 3, H, W]");
        Path out = tmp.resolve("b.png");
        assertEquals(List.of(out, tmp.resolve("b-1.png")), t2i.write(r, out));
        assertTrue(Files.isRegularFile(tmp.resolve("b-1.png")));
        assertEquals(List.of("wrote " + out, "wrote " + tmp.resolve("b-1.png")), l.notes.subList(l.notes.size() - 2, l.notes.size()));
    }

    @Test
    void badLatentsAndSizesAreOneLine() throws IOException {
        Path lat = tmp.resolve("three.safetensors");
        SafeTensors.write(lat, Map.of("latents", Tensor.of(new float[3 * 4 * 2 * 2], 3, 4, 2, 2)), Map.of());
        TextToImage t2i = new TextToImage("test", null);
        GenerationSettings two = new GenerationSettings("", 1, null, 7.5, 1, null, null, 2, lat, null, 0, null);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> t2i.generate(ModelFiles.of(model), "", two));
        assertEquals(lat + ": latents have shape [3, 4, 2, 2], expected [2, 4, h, w]", e.getMessage());
        GenerationSettings sized = new GenerationSettings("", 1, null, 7.5, 1, 64, 64, null, lat, null, 0, null);
        e = assertThrows(SynesthesiaException.class, () -> t2i.generate(ModelFiles.of(model), "", sized));
        assertEquals(lat + ": latents 2x2 do not match --width 64 --height 64 (VAE factor 2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.defaults(1).withSteps(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationSettings.defaults(1).withScheduler("lms"));
        assertEquals(1, GenerationSettings.defaults(1).withPreviews(1, null).previewEvery(), "no TAESD: the latent projection");
        assertThrows(IllegalArgumentException.class, () -> new GenerationSettings("", 1, "ddim", 7.5, 1, null, null, null, null, null, 0, null, -1, null, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new GenerationSettings("", 1, "ddim", 7.5, 1, null, null, null, null, null, 0, null, 0, null, 1.5));
    }

    @Test
    void previewsWithoutTaesdProjectTheLatents() {
        RecordingListener l = new RecordingListener();
        GenerationSettings s = new GenerationSettings("", 2, "ddim", 7.5, 3, 32, 16, 1, null, null, 1, null);
        TextToImage.Result r = new TextToImage("test", l).generate(ModelFiles.of(model), "", s);
        assertArrayEquals(new int[] {1, 3, 16, 32}, r.images().shape());
        assertFalse(l.stages().contains("start LOAD_TAESD"), l.stages().toString());
        assertEquals(2, l.previews.size());
        // latent resolution: the tiny VAE's factor is 2
        for (Tensor p : l.previews) assertArrayEquals(new int[] {1, 3, 8, 16}, p.shape());
    }
}
