package org.synesthesia.translator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.image.PngWriter;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.util.SynesthesiaException;

/**
 * The loss curves as a small line plot (640 x 400 PNG): epochs left to right, loss bottom to top over the range of
 * both curves, the training loss in blue, the validation loss in orange, a light grid of 10 x 5 cells. There is no
 * lettering; the PNG's text chunks carry the title, the axis ranges and every value.
 */
public final class LossCurve {
    static final int W = 640, H = 400, LEFT = 40, RIGHT = 20, TOP = 20, BOTTOM = 30;
    static final int[] TRAIN = {31, 119, 180}, VAL = {255, 127, 14}, GRID = {225, 225, 225}, AXIS = {90, 90, 90};

    private LossCurve() {}

    /** Writes the plot of {@code train} and {@code val} (may be empty or hold NaN) atomically. */
    public static void write(Path file, String title, List<Double> train, List<Double> val) {
        byte[] png = render(title, train, val);
        try {
            AtomicFiles.write(file, out -> out.write(png));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot write: " + e.getMessage());
        }
    }

    static byte[] render(String title, List<Double> train, List<Double> val) {
        byte[] rgb = new byte[3 * W * H];
        java.util.Arrays.fill(rgb, (byte) 255);
        int epochs = Math.max(train.size(), val.size());
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (List<Double> c : List.of(train, val))
            for (double v : c) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(lo <= hi)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12) { hi += 0.5; lo -= 0.5; }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        int x0 = LEFT, x1 = W - RIGHT, y0 = TOP, y1 = H - BOTTOM;
        for (int i = 0; i <= 10; i++) line(rgb, x0 + (x1 - x0) * i / 10, y0, x0 + (x1 - x0) * i / 10, y1, GRID, 1);
        for (int i = 0; i <= 5; i++) line(rgb, x0, y0 + (y1 - y0) * i / 5, x1, y0 + (y1 - y0) * i / 5, GRID, 1);
        line(rgb, x0, y1, x1, y1, AXIS, 1);
        line(rgb, x0, y0, x0, y1, AXIS, 1);
        for (int pass = 0; pass < 2; pass++) {
            List<Double> c = pass == 0 ? train : val;
            int[] colour = pass == 0 ? TRAIN : VAL;
            int px = -1, py = -1;
            for (int e = 0; e < c.size(); e++) {
                double v = c.get(e);
                if (!Double.isFinite(v)) { px = -1; continue; }
                int x = epochs <= 1 ? (x0 + x1) / 2 : x0 + (int) Math.round((x1 - x0) * e / (double) (epochs - 1));
                int y = y1 - (int) Math.round((y1 - y0) * (v - lo) / (hi - lo));
                if (px >= 0) line(rgb, px, py, x, y, colour, 2);
                else dot(rgb, x, y, colour, 2);
                px = x;
                py = y;
            }
        }
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Title", title);
        text.put("Comment", String.format(Locale.ROOT, "x: epochs 1..%d; y: loss %.6g..%.6g; blue train, orange validation", epochs, lo, hi));
        text.put("train", values(train));
        text.put("validation", values(val));
        return PngWriter.encode(W, H, rgb, text);
    }

    private static String values(List<Double> c) {
        StringBuilder b = new StringBuilder();
        for (double v : c) b.append(b.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.6g", v));
        return b.toString();
    }

    private static void line(byte[] rgb, int xa, int ya, int xb, int yb, int[] c, int width) {
        int dx = Math.abs(xb - xa), dy = -Math.abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, err = dx + dy;
        while (true) {
            dot(rgb, xa, ya, c, width);
            if (xa == xb && ya == yb) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; xa += sx; }
            if (e2 <= dx) { err += dx; ya += sy; }
        }
    }

    private static void dot(byte[] rgb, int x, int y, int[] c, int width) {
        for (int yy = y; yy < y + width; yy++)
            for (int xx = x; xx < x + width; xx++) {
                if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
                int o = 3 * (yy * W + xx);
                rgb[o] = (byte) c[0];
                rgb[o + 1] = (byte) c[1];
                rgb[o + 2] = (byte) c[2];
            }
    }
}
