package org.synesthesia.image;

import org.synesthesia.util.SynesthesiaException;

/**
 * Pillow's convolution filters for {@code Image.resize}, each a kernel {@code weight(x)} that is zero for
 * {@code |x| >= support} (input-pixel units before scaling). The codes are PIL's {@code Image.Resampling} values,
 * as stored in {@code preprocessor_config.json}'s {@code resample}.
 */
public enum ResampleFilter {
    /** {@code 1} on (-0.5, 0.5]. PIL code 4. */
    BOX(0.5, 4) {
        @Override double weight(double x) {
            return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
        }
    },
    /** Triangle {@code 1 - |x|}. PIL code 2. */
    BILINEAR(1.0, 2) {
        @Override double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** {@code sinc(x) * (0.54 + 0.46 cos(pi x))} on |x| < 1 (the constants are float literals in Pillow). PIL code 5. */
    HAMMING(1.0, 5) {
        @Override double weight(double x) {
            x = Math.abs(x);
            if (x == 0.0) return 1.0;
            if (x >= 1.0) return 0.0;
            x = x * Math.PI;
            return Math.sin(x) / x * (0.54f + 0.46f * Math.cos(x));
        }
    },
    /** Keys' cubic convolution with a = -0.5. PIL code 3. */
    BICUBIC(2.0, 3) {
        @Override double weight(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }
    },
    /** {@code sinc(x) sinc(x / 3)} on [-3, 3). PIL code 1. */
    LANCZOS(3.0, 1) {
        @Override double weight(double x) {
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }
    };

    /** Half-width of the kernel in input pixels when upscaling; scaled by the downscale factor otherwise. */
    public final double support;
    /** PIL's code for this filter. */
    public final int pilCode;

    ResampleFilter(double support, int pilCode) {
        this.support = support;
        this.pilCode = pilCode;
    }

    /** The kernel at offset {@code x}. */
    abstract double weight(double x);

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x = x * Math.PI;
        return Math.sin(x) / x;
    }

    /** The filter with PIL's code {@code code}; NEAREST (0) and unknown codes are refused, naming {@code where}. */
    public static ResampleFilter fromPil(int code, Object where) {
        for (ResampleFilter f : values()) if (f.pilCode == code) return f;
        if (code == 0) throw SynesthesiaException.inFile(where, "resample 0 (NEAREST) is not supported; use 1-5");
        throw SynesthesiaException.inFile(where, "unknown resample code " + code + " (PIL codes: 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)");
    }
}
