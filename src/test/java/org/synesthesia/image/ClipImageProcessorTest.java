package org.synesthesia.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class ClipImageProcessorTest {
    @TempDir
    Path dir;

    static RgbImage fromHwc(StoredTensor t) {
        long[] s = t.shape();
        float[] v = t.toFloats();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) (int) v[i];
        return new RgbImage((int) s[1], (int) s[0], b);
    }

    /** golden clip_vision_random: the 336x224 bicubic intermediate exactly, pixel_values row 0 within 1e-6. */
    @Test
    void matchesTransformersClipImageProcessorGolden() {
        Path golden = SharedData.golden("clip_vision_random", "golden.safetensors");
        try (SafeTensors st = SafeTensors.open(golden)) {
            RgbImage input = fromHwc(st.find("png_rgb_uint8").orElseThrow());
            RgbImage expectResized = fromHwc(st.find("resized_uint8").orElseThrow());
            ClipImageProcessor p = ClipImageProcessor.clip();
            RgbImage resized = p.resized(input);
            assertEquals(336, resized.width());
            assertEquals(224, resized.height());
            int diff = 0;
            for (int i = 0; i < resized.rgb().length; i++) diff = Math.max(diff, Math.abs((resized.rgb()[i] & 0xff) - (expectResized.rgb()[i] & 0xff)));
            assertEquals(0, diff, "max uint8 difference of the resized image");

            float[] expect = st.find("pixel_values").orElseThrow().toFloats();
            Tensor t = p.tensor(input);
            assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
            float[] got = t.toArray();
            double max = 0;
            for (int i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expect[i]));
            assertTrue(max <= 1e-6, "max |pixel_values - golden| = " + max);
            System.err.println("clip_vision_random preprocessing: resized max diff " + diff + ", pixel_values max diff " + max);
        }
    }

    @Test
    void outputSizeFollowsTransformersFormula() {
        ImageProcessorConfig c = ImageProcessorConfig.clipDefaults();
        assertArrayEquals(new int[] {336, 224}, c.resizedSize(300, 200));
        assertArrayEquals(new int[] {224, 336}, c.resizedSize(200, 300));
        // int(224 * 333 / 100) = int(745.92) = 745; int(224 * 401 / 223) = int(402.798...) = 402
        assertArrayEquals(new int[] {745, 224}, c.resizedSize(333, 100));
        assertArrayEquals(new int[] {224, 402}, c.resizedSize(223, 401));
        assertArrayEquals(new int[] {224, 224}, c.resizedSize(50, 50));
    }

    @Test
    void centreCropRoundsDown() {
        // 7x5 image, crop 4x2: top = (5 - 2) // 2 = 1, left = (7 - 4) // 2 = 1
        byte[] b = new byte[7 * 5 * 3];
        for (int i = 0; i < 35; i++) b[3 * i] = (byte) i;
        RgbImage c = ClipImageProcessor.centreCrop(new RgbImage(7, 5, b), 2, 4);
        assertEquals(4, c.width());
        assertEquals(2, c.height());
        assertEquals(1 * 7 + 1, c.get(0, 0, 0));
        assertEquals(2 * 7 + 4, c.get(3, 1, 0));
        // larger crop than the image: zero padding, image centred at ((6 - 2) // 2, (6 - 4) // 2)
        byte[] small = new byte[2 * 4 * 3];
        small[0] = 9;
        RgbImage p = ClipImageProcessor.centreCrop(new RgbImage(2, 4, small), 6, 6);
        assertEquals(9, p.get(2, 1, 0));
        assertEquals(0, p.get(0, 0, 0));
    }

    @Test
    void seedIsPlainBilinearResizeWithImagenetStatistics() {
        byte[] b = new byte[300 * 200 * 3];
        java.util.Random r = new java.util.Random(3);
        r.nextBytes(b);
        RgbImage img = new RgbImage(300, 200, b);
        ClipImageProcessor seed = ClipImageProcessor.seed(224);
        RgbImage resized = seed.cropped(img);
        assertEquals(224, resized.width());
        assertEquals(224, resized.height());
        assertEquals(PillowResize.resize(img, 224, 224, ResampleFilter.BILINEAR), resized);
        float[] v = seed.pixelValues(img);
        assertEquals(3 * 224 * 224, v.length);
        int x = 17, y = 100;
        for (int c = 0; c < 3; c++) {
            float want = (resized.get(x, y, c) / 255f - ImageProcessorConfig.IMAGENET_MEAN.get(c).floatValue())
                    / ImageProcessorConfig.IMAGENET_STD.get(c).floatValue();
            assertEquals(want, v[(c * 224 + y) * 224 + x]);
        }
    }

    @Test
    void readsPreprocessorConfig() throws Exception {
        Path f = dir.resolve("preprocessor_config.json");
        Files.writeString(f, """
                {"crop_size": 96, "do_center_crop": true, "do_normalize": true, "do_resize": true,
                 "image_mean": [0.5, 0.5, 0.5], "image_std": [0.25, 0.5, 1.0], "resample": 2, "size": 100}""");
        ClipImageProcessor p = ClipImageProcessor.of(ImagePreprocess.CLIP, f);
        assertEquals(100, p.config().shortestEdge());
        assertEquals(96, p.config().cropHeight());
        assertEquals(ResampleFilter.BILINEAR, p.config().resample());
        byte[] b = new byte[150 * 120 * 3];
        java.util.Arrays.fill(b, (byte) 255);
        float[] v = p.pixelValues(new RgbImage(150, 120, b));
        assertEquals(3 * 96 * 96, v.length);
        assertEquals(2f, v[0], 1e-6f);
        assertEquals(1f, v[96 * 96], 1e-6f);
        assertEquals(0.5f, v[2 * 96 * 96], 1e-6f);
        // seed follows the model's input size from the same file
        assertEquals(96, ClipImageProcessor.of(ImagePreprocess.SEED, f).config().resizeHeight());

        Files.writeString(f, "{\"resample\": 0}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ImageProcessorConfig.read(f));
        assertTrue(e.getMessage().contains("NEAREST"), e.getMessage());
        Files.writeString(f, "{\"image_std\": [1, 0, 1]}");
        e = assertThrows(SynesthesiaException.class, () -> ImageProcessorConfig.read(f));
        assertTrue(e.getMessage().startsWith(f + ": image_std"), e.getMessage());
        assertEquals(ImagePreprocess.SEED, ImagePreprocess.parse("Seed"));
        assertThrows(SynesthesiaException.class, () -> ImagePreprocess.parse("vit"));
    }
}
