package org.synesthesia.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.io.AtomicFiles;

/**
 * A per-window probability curve over a waveform, as a PNG: {@code width} columns spanning the audio, the waveform's
 * min..max per column in grey, the given spans shaded green, the threshold as a blue line, and the probability of
 * the window under each column in red (0 at the bottom, 1 at the top).
 */
public final class ProbabilityPlot {
    private ProbabilityPlot() {}

    /**
     * @param samples the audio
     * @param probs   one probability per {@code hop} samples
     * @param spans   {start, end} sample ranges to shade
     */
    public static byte[] render(float[] samples, float[] probs, int hop, double threshold, long[][] spans, int width, int height) {
        if (width < 2 || height < 2 || hop < 1) throw new IllegalArgumentException("plot " + width + "x" + height + ", hop " + hop);
        byte[] rgb = new byte[3 * width * height];
        java.util.Arrays.fill(rgb, (byte) 255);
        double perCol = Math.max(1, samples.length) / (double) width;
        for (int x = 0; x < width; x++) {
            long a = (long) (x * perCol), b = Math.max(a + 1, (long) ((x + 1) * perCol));
            for (long[] s : spans)
                if (a < s[1] && b > s[0]) for (int y = 0; y < height; y++) set(rgb, width, x, y, 210, 245, 210);
            float lo = 0, hi = 0;
            for (long i = a; i < b && i < samples.length; i++) { lo = Math.min(lo, samples[(int) i]); hi = Math.max(hi, samples[(int) i]); }
            int y0 = row(0.5 - 0.5 * Math.min(1, hi), height), y1 = row(0.5 - 0.5 * Math.max(-1, lo), height);
            for (int y = y0; y <= y1; y++) set(rgb, width, x, y, 150, 150, 150);
            set(rgb, width, x, row(1 - threshold, height), 60, 90, 220);
            int w = (int) Math.min(probs.length - 1, (long) (x * perCol) / hop);
            if (w >= 0) {
                int y = row(1 - probs[w], height);
                set(rgb, width, x, y, 220, 30, 30);
                if (y + 1 < height) set(rgb, width, x, y + 1, 220, 30, 30);
            }
        }
        return PngWriter.encode(width, height, rgb, Map.of());
    }

    /** {@link #render} written atomically to {@code path}. */
    public static void writePng(Path path, float[] samples, float[] probs, int hop, double threshold, long[][] spans) {
        byte[] png = render(samples, probs, hop, threshold, spans, 1200, 300);
        try {
            AtomicFiles.write(path, out -> out.write(png));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(path, "cannot write: " + e.getMessage());
        }
    }

    private static int row(double f, int height) {
        return (int) Math.max(0, Math.min(height - 1, Math.round(f * (height - 1))));
    }

    private static void set(byte[] rgb, int width, int x, int y, int r, int g, int b) {
        int i = 3 * (y * width + x);
        rgb[i] = (byte) r;
        rgb[i + 1] = (byte) g;
        rgb[i + 2] = (byte) b;
    }
}
