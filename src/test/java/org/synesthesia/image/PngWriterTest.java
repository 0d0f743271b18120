package org.synesthesia.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.Tensor;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class PngWriterTest {
    @TempDir
    Path dir;

    /** Reads the PNG with ImageIO: pixels and every tEXt / iTXt entry. */
    static Map<String, String> readText(Path file) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader r = ImageIO.getImageReaders(in).next();
            r.setInput(in);
            IIOMetadata md = r.getImageMetadata(0);
            Node root = md.getAsTree("javax_imageio_png_1.0");
            collect(root, out);
            r.dispose();
        }
        return out;
    }

    private static void collect(Node n, Map<String, String> out) {
        if (n instanceof Element e) {
            if (e.getNodeName().equals("tEXtEntry")) out.put(e.getAttribute("keyword"), e.getAttribute("value"));
            if (e.getNodeName().equals("iTXtEntry")) out.put(e.getAttribute("keyword"), e.getAttribute("text"));
        }
        NodeList c = n.getChildNodes();
        for (int i = 0; i < c.getLength(); i++) collect(c.item(i), out);
    }

    @Test
    void roundTripsPixelsAndText() throws Exception {
        int h = 37, w = 53;
        Random rnd = new Random(5);
        float[] v = new float[3 * h * w];
        // smooth gradients (exercise Sub/Up/Paeth) plus noise (None), and values outside [-1, 1]
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    v[(c * h + y) * w + x] = y < h / 2 ? (x + y * c) / 40f - 1f : (float) rnd.nextGaussian();
        v[0] = Float.NaN;
        Path file = dir.resolve("out/img.png");
        Map<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "a photograph of an astronaut riding a horse, café");
        text.put("parameters", "steps 20, seed 42, 日本語");
        PngWriter.write(file, Tensor.of(v, 1, 3, h, w), PngWriter.Range.MINUS_ONE_TO_ONE, text);
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    float f = v[(c * h + y) * w + x] / 2f + 0.5f;
                    int expect = Float.isNaN(f) ? 0 : (int) Math.rint(Math.min(1f, Math.max(0f, f)) * 255f);
                    assertEquals(expect, (rgb >> (16 - 8 * c)) & 0xff, "pixel " + x + "," + y + " channel " + c);
                }
            }
        assertEquals(text, readText(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void zeroToOneRangeAndBadInput() throws Exception {
        Path file = dir.resolve("t.png");
        float[] v = {0f, 0.5f, 1f, 0.25f, 0.002f, 0.998f};
        PngWriter.write(file, Tensor.of(v, 3, 1, 2), PngWriter.Range.ZERO_TO_ONE, Map.of());
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(0x00ff01, img.getRGB(0, 0) & 0xffffff); // r 0, g 1 -> 255, b 0.002 -> round(0.51) = 1
        assertEquals(0x8040fe, img.getRGB(1, 0) & 0xffffff); // r 0.5 -> 127.5 -> 128 (half to even), g 63.75 -> 64, b 254.49 -> 254
        assertThrows(IllegalArgumentException.class, () -> PngWriter.write(file, Tensor.zeros(4, 2, 2), PngWriter.Range.ZERO_TO_ONE, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> PngWriter.write(file, Tensor.zeros(3, 2, 2), PngWriter.Range.ZERO_TO_ONE, Map.of(" bad", "x")));
    }
}
