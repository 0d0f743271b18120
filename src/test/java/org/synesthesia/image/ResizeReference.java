package org.synesthesia.image;

/**
 * The plain form of Pillow's resize, for checking {@link PillowResize}: for each output pixel, every input pixel j
 * in Pillow's window {@code floor(c - support + 0.5) <= j < floor(c + support + 0.5)} gets weight
 * {@code filter((j + 0.5 - c) / fs)}, weights divided by their sum, all in double (the window matters only for BOX,
 * whose kernel is 1 at the edge of its support); the pass result is rounded half up and clipped to 0..255 (as Pillow stores uint8 between passes);
 * horizontal pass, then vertical. No fixed point.
 */
final class ResizeReference {
    private ResizeReference() {}

    static RgbImage resize(RgbImage in, int w, int h, ResampleFilter f) {
        double[][] wx = weights(in.width(), w, f), wy = weights(in.height(), h, f);
        int[] tmp = new int[in.height() * w * 3];
        for (int y = 0; y < in.height(); y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int j = 0; j < in.width(); j++) s += wx[x][j] * in.get(j, y, c);
                    tmp[(y * w + x) * 3 + c] = in.width() == w ? in.get(x, y, c) : round(s);
                }
        byte[] out = new byte[h * w * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) {
                    double s = 0;
                    for (int j = 0; j < in.height(); j++) s += wy[y][j] * tmp[(j * w + x) * 3 + c];
                    out[(y * w + x) * 3 + c] = (byte) (in.height() == h ? tmp[(y * w + x) * 3 + c] : round(s));
                }
        return new RgbImage(w, h, out);
    }

    /** {@code [out][in]} normalised weights: centre c = (i + 0.5) * in / out, fs = max(in / out, 1). */
    static double[][] weights(int in, int out, ResampleFilter f) {
        double scale = (double) in / out, fs = Math.max(scale, 1);
        double[][] w = new double[out][in];
        for (int i = 0; i < out; i++) {
            double c = (i + 0.5) * scale, sum = 0, support = f.support * fs;
            for (int j = 0; j < in; j++)
                if (j >= Math.floor(c - support + 0.5) && j < Math.floor(c + support + 0.5)) sum += w[i][j] = f.weight((j + 0.5 - c) / fs);
            for (int j = 0; j < in; j++) w[i][j] /= sum;
        }
        return w;
    }

    private static int round(double v) {
        return (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }
}
