package org.synesthesia.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image: {@code rgb} holds {@code height * width * 3} bytes, row-major, channels interleaved
 * ({@code [H, W, 3]}, as PIL's {@code np.array(image.convert("RGB"))}).
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != 3L * width * height)
            throw new IllegalArgumentException("RGB image: " + rgb.length + " bytes for " + width + "x" + height);
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** The pixels as channel-first floats {@code [3, H, W]}, values 0..255 (for tests and callers that scale). */
    public float[] planes() {
        int n = width * height;
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) out[c * n + i] = rgb[3 * i + c] & 0xff;
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage r && r.width == width && r.height == height && Arrays.equals(r.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
