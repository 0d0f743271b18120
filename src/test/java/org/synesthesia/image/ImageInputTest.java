package org.synesthesia.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class ImageInputTest {
    @TempDir
    Path dir;

    static byte[] resource(String name) throws Exception {
        try (InputStream in = ImageInputTest.class.getResourceAsStream("decode/" + name)) {
            return in.readAllBytes();
        }
    }

    private String error(byte[] data, String name) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, data);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new ImageInput().readFile(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    /**
     * Every fixture equals PIL 9.4's convert("RGB") exactly: PNG (RGB, RGBA, grey, grey+alpha, 4-bit palette, palette
     * with tRNS, 1-bit), BMP (24-bit, 8-bit palette), GIF (first of two frames; a first frame offset on a larger
     * logical screen), JPEG (4:2:0, 4:4:4, progressive, grey; the JDK's libjpeg against Debian's libjpeg-turbo).
     */
    @Test
    void decodesLikePil() throws Exception {
        Path st = dir.resolve("pil_rgb.safetensors");
        Files.write(st, resource("pil_rgb.safetensors"));
        StringBuilder report = new StringBuilder();
        try (SafeTensors pil = SafeTensors.open(st)) {
            assertEquals(15, pil.names().size());
            for (String name : pil.names()) {
                RgbImage want = ClipImageProcessorTest.fromHwc(pil.find(name).orElseThrow());
                Path f = dir.resolve(name.replace('.', '_') + ".bin"); // no extension: the format comes from the bytes
                Files.write(f, resource(name));
                RgbImage got = new ImageInput().read(f.toString());
                assertEquals(want.width(), got.width(), name);
                assertEquals(want.height(), got.height(), name);
                int max = 0;
                for (int i = 0; i < want.rgb().length; i++) max = Math.max(max, Math.abs((want.rgb()[i] & 0xff) - (got.rgb()[i] & 0xff)));
                assertEquals(0, max, name + ": max difference");
                report.append(name).append(' ').append(max).append("; ");
            }
        }
        System.err.println("decode vs PIL (max level difference): " + report);
    }

    @Test
    void goldenPngDecodesToItsStoredPixels() {
        Path png = SharedData.golden("clip_vision_random", "input_300x200.png");
        try (SafeTensors st = SafeTensors.open(SharedData.golden("clip_vision_random", "golden.safetensors"))) {
            assertEquals(ClipImageProcessorTest.fromHwc(st.find("png_rgb_uint8").orElseThrow()), new ImageInput().read(png.toString()));
        }
    }

    @Test
    void refusesTruncatedFiles() throws Exception {
        byte[] png = resource("rgb.png");
        assertTrue(error(Arrays.copyOf(png, png.length - 12), "cut.png").contains("truncated PNG (no IEND chunk)"));
        assertTrue(error(Arrays.copyOf(png, png.length / 2), "half.png").contains("truncated PNG (chunk IDAT"));
        for (String jpg : new String[] {"q90_420.jpg", "progressive.jpg"}) {
            byte[] j = resource(jpg);
            assertTrue(error(Arrays.copyOf(j, j.length * 2 / 3), "cut_" + jpg).contains("truncated JPEG (no end-of-image marker)"));
        }
        byte[] gif = resource("first_frame.gif");
        int firstFrameEnd = gif.length / 3; // inside the first frame's data
        assertTrue(error(Arrays.copyOf(gif, firstFrameEnd), "cut.gif").contains("truncated GIF"));
        byte[] bmp = resource("rgb.bmp");
        assertTrue(error(Arrays.copyOf(bmp, bmp.length - 100), "cut.bmp").contains("truncated BMP (pixel rows need"));
        assertTrue(error(Arrays.copyOf(png, 20), "header.png").contains("truncated PNG"));
    }

    @Test
    void refusesWhatIsNotAnImage() throws Exception {
        assertTrue(error("<!DOCTYPE html><html>".getBytes(), "page.png").endsWith("not an image (it looks like HTML or XML)"));
        assertTrue(error(new byte[0], "empty.jpg").endsWith("the file is empty"));
        assertTrue(error("RIFF\0\0\0\0WEBPVP8 ".getBytes(), "x.webp").contains("WebP is not supported"));
        assertTrue(error(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, "x.gif").contains("unrecognised format (starts with 0102030405060708"));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new ImageInput().read(dir.resolve("nope.png").toString()));
        assertEquals(dir.resolve("nope.png") + ": no such file", e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> new ImageInput().read(dir.toString()));
        assertTrue(e.getMessage().endsWith("is a directory, not an image"));
        e = assertThrows(SynesthesiaException.class, () -> new ImageInput().read("ftp://example.org/a.png"));
        assertEquals("ftp://example.org/a.png: only http and https URLs are read", e.getMessage());
        // a PNG whose IDAT is not valid zlib: the decoder's complaint in one line
        byte[] png = resource("rgb.png").clone();
        int idat = indexOf(png, "IDAT");
        for (int i = idat + 4; i < idat + 40; i++) png[i] = (byte) 0x5A;
        String m = error(png, "garbled.png");
        assertTrue(m.contains("cannot decode PNG"), m);
    }

    /** Header sizes over the limits are refused before decoding, for each format. */
    @Test
    void refusesDecompressionBombs() throws Exception {
        // PNG: 100000 x 100000 in IHDR (with a valid CRC), nothing else needed
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2);
        byte[] png = ByteBuffer.allocate(8 + 25).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10})
                .putInt(13).put("IHDR".getBytes()).put(ihdr.array()).putInt(crc("IHDR", ihdr.array())).array();
        String m = error(png, "bomb.png");
        assertTrue(m.contains("PNG declares 100000x100000 pixels; refusing before decoding"), m);
        assertTrue(m.contains("89,478,485 pixels, PIL's default MAX_IMAGE_PIXELS"), m);
        // 10000 x 10000 passes the side limit, not the pixel limit
        byte[] jpg = resource("q90_420.jpg").clone();
        int sof = indexOf(jpg, new byte[] {(byte) 0xFF, (byte) 0xC0});
        jpg[sof + 5] = (byte) (10000 >> 8); jpg[sof + 6] = (byte) (10000 & 0xff);
        jpg[sof + 7] = (byte) (10000 >> 8); jpg[sof + 8] = (byte) (10000 & 0xff);
        assertTrue(error(jpg, "bomb.jpg").contains("JPEG declares 10000x10000 pixels"));
        byte[] bmp = resource("rgb.bmp").clone();
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(18, 20000).putInt(22, -3);
        assertTrue(error(bmp, "bomb.bmp").contains("BMP declares 20000x3 pixels"));
        byte[] gif = resource("first_frame.gif").clone();
        gif[6] = (byte) 0xFF; gif[7] = (byte) 0xFF; gif[8] = (byte) 0xFF; gif[9] = (byte) 0xFF;
        assertTrue(error(gif, "bomb.gif").contains("GIF declares 65535x65535 pixels"));
        // the limits are options
        Path small = dir.resolve("small.png");
        Files.write(small, resource("rgb.png"));
        ImageInput strict = new ImageInput(ImageInput.Options.defaults().withLimits(16, 1000));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> strict.readFile(small));
        assertTrue(e.getMessage().contains("PNG declares 34x21 pixels"), e.getMessage());
    }

    static int crc(String type, byte[] data) {
        CRC32 c = new CRC32();
        c.update(type.getBytes());
        c.update(data);
        return (int) c.getValue();
    }

    static int indexOf(byte[] b, String s) {
        return indexOf(b, s.getBytes());
    }

    static int indexOf(byte[] b, byte[] s) {
        outer:
        for (int i = 0; i + s.length <= b.length; i++) {
            for (int k = 0; k < s.length; k++) if (b[i + k] != s[k]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
