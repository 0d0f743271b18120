package org.synesthesia.image;

/**
 * Pillow's {@code Image.resize(size, filter)} for 8-bit RGB, bit for bit (Pillow 9.4 {@code ImagingResample}, no
 * {@code box}, no {@code reducing_gap}).
 *
 * <p>Separable, horizontal pass first, then vertical; a pass is skipped when its dimension is unchanged (same size
 * in both: a copy). For one axis with {@code in} input and {@code out} output pixels:
 * <pre>
 *   scale = in / out,  fs = max(scale, 1),  support = filter.support * fs
 *   output i: centre c = (i + 0.5) * scale, inputs j in [ (int)(c - support + 0.5), (int)(c + support + 0.5) ) clipped to [0, in)
 *             w_j = filter((j - c + 0.5) / fs) / sum_j filter(...)            (double, normalised)
 *             k_j = (int)(w_j * 2^22 +- 0.5)                                    (fixed point, PRECISION_BITS = 32 - 8 - 2)
 *             y_i = clip((2^21 + sum_j k_j x_j) >> 22, 0, 255)                 (round half up, clip to uint8 after each pass)
 * </pre>
 * The filter is widened by {@code fs} when downscaling, so a downscale averages (antialiasing).
 */
public final class PillowResize {
    /** Fixed-point fraction bits of the coefficients. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {}

    /** One axis's coefficients: for output i, inputs {@code start[i] .. start[i] + count[i] - 1} with weights. */
    record Coefficients(int ksize, int[] start, int[] count, double[] weights, int[] fixed) {}

    /** The coefficients for resizing an axis of {@code in} pixels to {@code out} pixels. */
    static Coefficients coefficients(int in, int out, ResampleFilter filter) {
        double scale = (double) in / out;
        double fs = Math.max(scale, 1.0);
        double support = filter.support * fs;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[out], count = new int[out];
        double[] w = new double[out * ksize];
        int[] k = new int[out * ksize];
        double ss = 1.0 / fs;
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max((int) (centre - support + 0.5), 0);
            int hi = Math.min((int) (centre + support + 0.5), in);
            int n = hi - lo;
            double sum = 0;
            for (int j = 0; j < n; j++) {
                double v = filter.weight((j + lo - centre + 0.5) * ss);
                w[i * ksize + j] = v;
                sum += v;
            }
            for (int j = 0; j < n; j++) {
                if (sum != 0.0) w[i * ksize + j] /= sum;
                double p = w[i * ksize + j] * (1 << PRECISION_BITS);
                k[i * ksize + j] = (int) (p < 0 ? p - 0.5 : p + 0.5);
            }
            start[i] = lo;
            count[i] = n;
        }
        return new Coefficients(ksize, start, count, w, k);
    }

    /** {@code image} resized to {@code width x height} with {@code filter}, as Pillow does it. */
    public static RgbImage resize(RgbImage image, int width, int height, ResampleFilter filter) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("resize to " + width + "x" + height);
        boolean horizontal = width != image.width(), vertical = height != image.height();
        if (!horizontal && !vertical) return new RgbImage(width, height, image.rgb().clone());
        Coefficients ch = coefficients(image.width(), width, filter);
        Coefficients cv = coefficients(image.height(), height, filter);
        byte[] src = image.rgb();
        int rows = image.height(), first = 0;
        if (horizontal) {
            // only the input rows the vertical pass reads: [first, last)
            first = cv.start[0];
            int last = cv.start[height - 1] + cv.count[height - 1];
            rows = last - first;
            src = horizontalPass(src, image.width(), first, rows, width, ch);
        }
        if (!vertical) return new RgbImage(width, height, src);
        int w = horizontal ? width : image.width();
        return new RgbImage(w, height, verticalPass(src, w, first, height, cv));
    }

    /** Rows {@code first .. first + rows - 1} of an {@code inWidth}-wide image, each resampled to {@code outWidth}. */
    private static byte[] horizontalPass(byte[] src, int inWidth, int first, int rows, int outWidth, Coefficients c) {
        byte[] dst = new byte[rows * outWidth * 3];
        final int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + first) * inWidth;
            for (int x = 0; x < outWidth; x++) {
                int r = half, g = half, b = half;
                int kBase = x * c.ksize, n = c.count[x], p = (rowBase + c.start[x]) * 3;
                for (int j = 0; j < n; j++, p += 3) {
                    int k = c.fixed[kBase + j];
                    r += (src[p] & 0xff) * k;
                    g += (src[p + 1] & 0xff) * k;
                    b += (src[p + 2] & 0xff) * k;
                }
                int q = (y * outWidth + x) * 3;
                dst[q] = clip8(r);
                dst[q + 1] = clip8(g);
                dst[q + 2] = clip8(b);
            }
        }
        return dst;
    }

    /** Vertical pass over a {@code width}-wide image whose row 0 is input row {@code first}. */
    private static byte[] verticalPass(byte[] src, int width, int first, int outHeight, Coefficients c) {
        byte[] dst = new byte[outHeight * width * 3];
        final int half = 1 << (PRECISION_BITS - 1);
        int stride = width * 3;
        for (int y = 0; y < outHeight; y++) {
            int kBase = y * c.ksize, n = c.count[y], top = c.start[y] - first;
            for (int x = 0; x < width; x++) {
                int r = half, g = half, b = half;
                int p = top * stride + x * 3;
                for (int j = 0; j < n; j++, p += stride) {
                    int k = c.fixed[kBase + j];
                    r += (src[p] & 0xff) * k;
                    g += (src[p + 1] & 0xff) * k;
                    b += (src[p + 2] & 0xff) * k;
                }
                int q = (y * width + x) * 3;
                dst[q] = clip8(r);
                dst[q + 1] = clip8(g);
                dst[q + 2] = clip8(b);
            }
        }
        return dst;
    }

    /** {@code clip(v >> 22, 0, 255)} (arithmetic shift: floor). */
    private static byte clip8(int v) {
        int u = v >> PRECISION_BITS;
        return (byte) (u < 0 ? 0 : Math.min(u, 255));
    }
}
