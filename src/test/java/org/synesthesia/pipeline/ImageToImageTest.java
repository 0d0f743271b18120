package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.diffusion.StableDiffusionPipeline;
import org.synesthesia.image.PngWriter;
import org.synesthesia.image.RgbImage;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.tensor.TorchGenerator;
import org.synesthesia.testing.SdTinyFolder;

/**
 * img2img on the tiny SD folder (random weights, so no picture to look at and no diffusers golden to match: parity
 * with diffusers' StableDiffusionImg2ImgPipeline is not checked): the size comes from the image, a seed repeats the
 * image, strength picks how many steps run, and strength 0 is exactly the image's VAE round trip
 * {@code decode(encode(x).sample(randn(seed)))}.
 */
class ImageToImageTest {
    @TempDir Path tmp;
    Path model;
    Path png;
    RgbImage image;

    @BeforeEach
    void setUp() throws IOException {
        model = SdTinyFolder.sd1(tmp);
        // 27x17: the size is rounded down to multiples of 8 -> 24x16
        int w = 27, h = 17;
        float[] px = new float[3 * w * h];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) px[(c * h + y) * w + x] = ((x * (c + 1) + y * 3) % 17) / 16f;
        png = tmp.resolve("in.png");
        PngWriter.write(png, Tensor.of(px, 1, 3, h, w), PngWriter.Range.ZERO_TO_ONE, Map.of());
        image = new org.synesthesia.image.ImageInput().readFile(png);
    }

    private GenerationSettings settings(int steps, String scheduler, double strength) {
        return new GenerationSettings("", steps, scheduler, 7.5, 11, null, null, null, null, null, 0, null, 0, png, strength);
    }

    @Test
    void strengthPicksTheStepsAndASeedRepeats() {
        for (String scheduler : List.of("ddim", "euler-a", "dpm++")) {
            List<Integer> steps = new ArrayList<>();
            PipelineListener l = new PipelineListener() {
                @Override
                public void step(int step, int total, double seconds, Tensor preview) {
                    steps.add(step * 100 + total);
                }
            };
            TextToImage.Result a = new TextToImage("test", l).generate(ModelFiles.of(model), "a cat", settings(6, scheduler, 0.5));
            assertArrayEquals(new int[] {1, 3, 16, 24}, a.images().shape(), scheduler);
            assertEquals(List.of(103, 203, 303), steps, scheduler + ": int(6 * 0.5) steps");
            TextToImage.Result b = new TextToImage("test", null).generate(ModelFiles.of(model), "a cat", settings(6, scheduler, 0.5));
            assertArrayEquals(a.images().toArray(), b.images().toArray(), scheduler + ": same seed, same image");
            assertTrue(a.parameters().contains("Denoising strength: 0.5"), a.parameters());
        }
    }

    @Test
    void strengthZeroIsTheVaeRoundTrip() {
        TextToImage.Result r = new TextToImage("test", null).generate(ModelFiles.of(model), "a cat", settings(2, "ddim", 0));
        try (StableDiffusionPipeline p = StableDiffusionPipeline.load(model, null, "ddim", null)) {
            Tensor x = TextToImage.imageTensor(image, 24, 16);
            int[] lshape = {1, 4, 8, 12};
            Tensor eps = Tensor.of(new TorchGenerator(11).randn(lshape), lshape);
            float[] z = p.vae().encode(x).sample(eps).toArray();
            float s = (float) p.vae().config().scalingFactor();
            for (int i = 0; i < z.length; i++) z[i] *= s;
            Tensor roundTrip = p.decodeToImage(Tensor.of(z, lshape));
            assertArrayEquals(roundTrip.toArray(), r.images().toArray());
        }
        // a little strength moves away from it, all of it ignores the image's content but keeps its size
        TextToImage.Result full = new TextToImage("test", null).generate(ModelFiles.of(model), "a cat", settings(2, "ddim", 1));
        assertArrayEquals(new int[] {1, 3, 16, 24}, full.images().shape());
        assertTrue(maxDiff(full.images().toArray(), r.images().toArray()) > 1e-3);
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
