package org.synesthesia.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;

class PillowResizeTest {
    @TempDir
    Path dir;

    private static RgbImage row(int... r) {
        byte[] b = new byte[r.length * 3];
        for (int i = 0; i < r.length; i++) b[3 * i] = b[3 * i + 1] = b[3 * i + 2] = (byte) r[i];
        return new RgbImage(r.length, 1, b);
    }

    private static int[] reds(RgbImage img) {
        int[] out = new int[img.width() * img.height()];
        for (int i = 0; i < out.length; i++) out[i] = img.rgb()[3 * i] & 0xff;
        return out;
    }

    /**
     * Bilinear 4 -> 2, by hand: scale 2, support 2, output 0 centred at 1.0 reads inputs 0..2 with triangle
     * weights 0.75, 0.75, 0.25 (normalised 3/7, 3/7, 1/7): 70*3/7 + 140/7 = 50; output 1 centred at 3.0 reads
     * 1..3 with 1/7, 3/7, 3/7: 10 + 60 + 90 = 160. Upscale 2 -> 4: support 1, outputs at 0.25, 0.75, 1.25, 1.75:
     * x0, 0.75 x0 + 0.25 x1, 0.25 x0 + 0.75 x1, x1.
     */
    @Test
    void bilinearByHand() {
        assertArrayEquals(new int[] {50, 160}, reds(PillowResize.resize(row(0, 70, 140, 210), 2, 1, ResampleFilter.BILINEAR)));
        assertArrayEquals(new int[] {0, 25, 75, 100}, reds(PillowResize.resize(row(0, 100), 4, 1, ResampleFilter.BILINEAR)));
        // the fixed-point coefficients of the 4 -> 2 case: round(3/7 * 2^22), round(1/7 * 2^22), summing to 2^22
        PillowResize.Coefficients c = PillowResize.coefficients(4, 2, ResampleFilter.BILINEAR);
        assertEquals(1797559, c.fixed()[0]);
        assertEquals(599186, c.fixed()[2]);
        assertEquals(1 << 22, c.fixed()[0] + c.fixed()[1] + c.fixed()[2]);
    }

    /** Every filter on odd shapes (down, up, one axis unchanged) against Pillow 9.4's Image.resize, exactly. */
    @Test
    void matchesPillowForEveryFilter() throws Exception {
        Path f = dir.resolve("pillow_resize.safetensors");
        try (InputStream in = PillowResizeTest.class.getResourceAsStream("pillow_resize.safetensors")) {
            Files.copy(in, f);
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            String[] cases = st.metadata().get("cases").split(",");
            assertEquals(125, cases.length);
            for (String name : cases) {
                String[] p = name.split("_");
                RgbImage input = ClipImageProcessorTest.fromHwc(st.find(p[0]).orElseThrow());
                RgbImage want = ClipImageProcessorTest.fromHwc(st.find(name).orElseThrow());
                RgbImage got = PillowResize.resize(input, want.width(), want.height(), ResampleFilter.valueOf(p[1]));
                assertEquals(want, got, name);
            }
        }
    }

    /** The fixed-point resize is within 1 level of the double-precision reference on random odd shapes. */
    @Test
    void withinOneLevelOfTheDoubleReference() {
        Random r = new Random(77);
        long pixels = 0, off = 0;
        for (int trial = 0; trial < 60; trial++) {
            int w = 1 + r.nextInt(40), h = 1 + r.nextInt(40);
            byte[] b = new byte[w * h * 3];
            r.nextBytes(b);
            RgbImage img = new RgbImage(w, h, b);
            ResampleFilter f = ResampleFilter.values()[trial % ResampleFilter.values().length];
            int ow = 1 + r.nextInt(50), oh = 1 + r.nextInt(50);
            RgbImage a = PillowResize.resize(img, ow, oh, f), ref = ResizeReference.resize(img, ow, oh, f);
            for (int i = 0; i < a.rgb().length; i++) {
                int d = Math.abs((a.rgb()[i] & 0xff) - (ref.rgb()[i] & 0xff));
                assertTrue(d <= 1, f + " " + w + "x" + h + " -> " + ow + "x" + oh + ": differs by " + d);
                if (d > 0) off++;
            }
            pixels += a.rgb().length;
        }
        System.err.println("PillowResize vs double reference: " + off + " of " + pixels + " values differ by 1, none by more");
    }
}
