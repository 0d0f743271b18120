package org.synesthesia.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Writes an image tensor [3, H, W] (or [1, 3, H, W]) as an 8-bit RGB PNG with text chunks (generation parameters).
 * Values map to bytes as diffusers' {@code numpy_to_pil}: {@code round(clamp(v, 0, 1) * 255)} (half to even), after
 * {@code v = x/2 + 0.5} for the SD VAE's [-1, 1] range. Each text entry is a {@code tEXt} chunk when key and value
 * are Latin-1, else an uncompressed UTF-8 {@code iTXt} chunk. Scanlines use the adaptive filter choice of the PNG
 * spec's recommendation (per row, the filter with the smallest sum of absolute signed bytes).
 */
public final class PngWriter {
    private PngWriter() {}

    /** The range of the tensor's values. */
    public enum Range {
        /** SD VAE output: -1 is black, 1 is white. */
        MINUS_ONE_TO_ONE,
        /** TAESD output: 0 is black, 1 is white. */
        ZERO_TO_ONE
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Writes {@code image} to {@code file} atomically; {@code text} may be empty. */
    public static void write(Path file, Tensor image, Range range, Map<String, String> text) {
        int[] s = image.shape();
        int off = s.length == 4 ? 1 : 0;
        if (!(s.length == 3 || s.length == 4 && s[0] == 1) || s[off] != 3)
            throw new IllegalArgumentException("image has shape " + java.util.Arrays.toString(s) + ", expected [3, H, W] or [1, 3, H, W]");
        int h = s[off + 1], w = s[off + 2];
        byte[] png = encode(w, h, toRgb(image.toArray(), h, w, range), text);
        try {
            AtomicFiles.write(file, out -> out.write(png));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot write: " + e.getMessage());
        }
    }

    /** Planar [3, H, W] floats -> interleaved RGB bytes [H, W, 3]. */
    static byte[] toRgb(float[] planes, int h, int w, Range range) {
        int n = h * w;
        byte[] rgb = new byte[3 * n];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) {
                float v = planes[c * n + i];
                if (range == Range.MINUS_ONE_TO_ONE) v = v / 2f + 0.5f;
                if (!(v > 0f)) v = 0f; // NaN too
                if (v > 1f) v = 1f;
                rgb[3 * i + c] = (byte) (int) Math.rint(v * 255f);
            }
        return rgb;
    }

    /** A complete PNG file: RGB bytes [H, W, 3] -> signature, IHDR, text chunks, IDAT, IEND. */
    public static byte[] encode(int width, int height, byte[] rgb, Map<String, String> text) {
        if (width <= 0 || height <= 0 || rgb.length != 3L * width * height)
            throw new IllegalArgumentException("PNG: " + rgb.length + " bytes for " + width + "x" + height + " RGB");
        ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length / 2 + 1024);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: truecolour
        chunk(out, "IHDR", ihdr);
        for (Map.Entry<String, String> e : text.entrySet()) textChunk(out, e.getKey(), e.getValue());
        chunk(out, "IDAT", deflate(filter(width, height, rgb)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void textChunk(ByteArrayOutputStream out, String key, String value) {
        if (key.isEmpty() || key.length() > 79 || !key.strip().equals(key) || key.contains("  "))
            throw new IllegalArgumentException("PNG text keyword '" + key + "' must be 1-79 characters without leading, trailing or double spaces");
        for (char c : key.toCharArray())
            if (c < 32 || c > 255 || (c > 126 && c < 161))
                throw new IllegalArgumentException("PNG text keyword '" + key + "' has a character outside printable Latin-1");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(key.getBytes(StandardCharsets.ISO_8859_1));
        b.write(0);
        if (isLatin1(value)) {
            b.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            chunk(out, "tEXt", b.toByteArray());
        } else {
            b.write(0); // compression flag: uncompressed
            b.write(0); // compression method
            b.write(0); // language tag "" + NUL
            b.write(0); // translated keyword "" + NUL
            b.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", b.toByteArray());
        }
    }

    private static boolean isLatin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 255 || c == 0) return false;
        }
        return true;
    }

    /** Each row prefixed by its filter type (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth), 3 bytes per pixel. */
    static byte[] filter(int width, int height, byte[] rgb) {
        int stride = 3 * width;
        byte[] out = new byte[height * (stride + 1)];
        byte[][] cand = new byte[5][stride];
        for (int y = 0; y < height; y++) {
            int row = y * stride, prev = row - stride;
            long best = Long.MAX_VALUE;
            int bestType = 0;
            for (int t = 0; t < 5; t++) {
                long sum = 0;
                for (int i = 0; i < stride; i++) {
                    int x = rgb[row + i] & 0xff;
                    int a = i >= 3 ? rgb[row + i - 3] & 0xff : 0;
                    int b = y > 0 ? rgb[prev + i] & 0xff : 0;
                    int c = i >= 3 && y > 0 ? rgb[prev + i - 3] & 0xff : 0;
                    int pred = switch (t) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) >>> 1;
                        default -> paeth(a, b, c);
                    };
                    byte f = (byte) (x - pred);
                    cand[t][i] = f;
                    sum += Math.abs(f);
                }
                if (sum < best) {
                    best = sum;
                    bestType = t;
                }
            }
            out[y * (stride + 1)] = (byte) bestType;
            System.arraycopy(cand[bestType], 0, out, y * (stride + 1) + 1, stride);
        }
        return out;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(6);
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buf = new byte[1 << 16];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
