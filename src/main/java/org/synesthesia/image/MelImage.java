package org.synesthesia.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * A picture of a log-Mel spectrogram {@code [n_mels, frames]} (or {@code [1, n_mels, frames]}): one pixel column
 * per frame (10 ms), each mel bin {@code max(1, 384 / n_mels)} pixels tall, low frequencies at the bottom,
 * values from the spectrogram's minimum to its maximum on the viridis colour map (dark blue to yellow).
 */
public final class MelImage {
    /** viridis at 0, 1/8, ..., 1 (sRGB). */
    private static final int[][] VIRIDIS = {
        {68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
        {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};

    private MelImage() {}

    static BufferedImage render(Tensor mel) {
        Tensor m = mel.rank() == 3 && mel.dim(0) == 1 ? mel.reshape(mel.dim(1), mel.dim(2)) : mel;
        if (m.rank() != 2) throw new IllegalArgumentException("expected [n_mels, frames], got rank " + mel.rank());
        int bins = m.dim(0), frames = m.dim(1), scale = Math.max(1, 384 / bins);
        float[] v = m.contiguous().toArray();
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float span = hi > lo ? hi - lo : 1;
        BufferedImage img = new BufferedImage(frames, bins * scale, BufferedImage.TYPE_INT_RGB);
        for (int b = 0; b < bins; b++) {
            int top = (bins - 1 - b) * scale; // bin 0 (lowest frequency) at the bottom
            for (int t = 0; t < frames; t++) {
                int rgb = colour((v[b * frames + t] - lo) / span);
                for (int y = 0; y < scale; y++) img.setRGB(t, top + y, rgb);
            }
        }
        return img;
    }

    /** viridis(u) for u in [0, 1], linearly interpolated between the anchors. */
    static int colour(float u) {
        float x = Math.max(0, Math.min(1, u)) * (VIRIDIS.length - 1);
        int i = Math.min((int) x, VIRIDIS.length - 2);
        float f = x - i;
        int rgb = 0;
        for (int c = 0; c < 3; c++) rgb = rgb << 8 | Math.round(VIRIDIS[i][c] + f * (VIRIDIS[i + 1][c] - VIRIDIS[i][c]));
        return rgb;
    }

    /**
     * Renders {@code mel} and writes it as a PNG, atomically. Encoded in memory by {@link PngWriter} (not ImageIO,
     * whose stream wrapper closes from a background thread and prints a trace when the disk is full).
     */
    public static void writePng(Path path, Tensor mel) {
        BufferedImage img = render(mel);
        int w = img.getWidth(), h = img.getHeight();
        byte[] rgb = new byte[3 * w * h];
        for (int y = 0, i = 0; y < h; y++)
            for (int x = 0; x < w; x++, i += 3) {
                int c = img.getRGB(x, y);
                rgb[i] = (byte) (c >> 16);
                rgb[i + 1] = (byte) (c >> 8);
                rgb[i + 2] = (byte) c;
            }
        byte[] png = PngWriter.encode(w, h, rgb, java.util.Map.of());
        try {
            AtomicFiles.write(path, out -> out.write(png));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(path, "cannot write: " + e.getMessage());
        }
    }
}
