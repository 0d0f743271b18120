package org.synesthesia.tensor;

/** Signal-to-noise ratios of an approximation (a quantized weight decoded back) against its reference, in dB. */
public final class Snr {
    private Snr() {}

    /** {@code 10 log10(sum ref^2 / sum (ref - approx)^2)}; +Infinity when identical. */
    public static double db(float[] reference, float[] approx) {
        check(reference, approx);
        double signal = 0, noise = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i], e = r - approx[i];
            signal += r * r;
            noise += e * e;
        }
        if (noise == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(signal / noise);
    }

    /** {@code 10 log10(peak^2 / MSE)}, MSE = mean (ref - approx)^2; +Infinity when identical. */
    public static double psnr(float[] reference, float[] approx, double peak) {
        check(reference, approx);
        if (reference.length == 0) throw new IllegalArgumentException("PSNR of no values");
        double noise = 0;
        for (int i = 0; i < reference.length; i++) {
            double e = (double) reference[i] - approx[i];
            noise += e * e;
        }
        if (noise == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(peak * peak / (noise / reference.length));
    }

    private static void check(float[] reference, float[] approx) {
        if (reference.length != approx.length) throw new IllegalArgumentException("SNR of " + reference.length + " values against " + approx.length);
    }
}
