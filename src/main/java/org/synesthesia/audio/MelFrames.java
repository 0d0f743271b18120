package org.synesthesia.audio;

import org.jtransforms.fft.DoubleFFT_1D;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.tensor.Tensor;

/**
 * The frame loop of {@link MelSpectrogram}: for each frame, reflect-padded samples times the window, a real FFT,
 * {@code re^2 + im^2 + eps} (or its square root), the filterbank, the log. Output {@code [nMels, frames]} row-major,
 * before any normalisation.
 *
 * <p>Fast paths, each giving the same bits as the plain loop: frames are spread over {@link Parallel}; each
 * filter is summed only over its nonzero bins (the skipped terms are {@code +0.0}); a frame whose samples are all
 * zero has an all-zero FFT, so it gets a column computed once from a zero frame.
 */
final class MelFrames {
    private final MelSpectrogram spec;
    private final int nFft, bins, nMels, pad;
    private final double[] window;
    private final float[] fw;
    /** Nonzero bin range {@code [lo, hi)} of each filter. */
    private final int[] lo, hi;

    MelFrames(MelSpectrogram spec, Tensor filters) {
        this.spec = spec;
        this.nFft = spec.nFft();
        this.bins = spec.bins();
        this.nMels = spec.nMels();
        this.pad = spec.padSamples();
        this.window = spec.windowFunction();
        this.fw = filters.toArray();
        this.lo = new int[nMels];
        this.hi = new int[nMels];
        for (int m = 0; m < nMels; m++) {
            int a = 0, b = bins;
            while (a < bins && fw[m * bins + a] == 0) a++;
            while (b > a && fw[m * bins + b - 1] == 0) b--;
            lo[m] = a;
            hi[m] = b;
        }
    }

    /**
     * {@code frames} frames of {@code audio ++ zeros(len - audio.length)}; {@code len > pad} so one reflection
     * reaches every padded index.
     */
    float[] compute(float[] audio, long len, int frames) {
        float[] out = new float[nMels * frames];
        float[] silent = new float[nMels];
        melColumn(new DoubleFFT_1D(nFft), new double[nFft], new double[bins], silent);
        int n = audio.length, hop = spec.hop();
        Parallel.forRange(frames, 64, (f0, f1) -> {
            DoubleFFT_1D fft = new DoubleFFT_1D(nFft);
            double[] buf = new double[nFft];
            double[] spectrum = new double[bins];
            float[] column = new float[nMels];
            for (int t = f0; t < f1; t++) {
                boolean zero = true;
                for (int k = 0; k < nFft; k++) {
                    long q = (long) t * hop + k - pad;        // index into the unpadded signal
                    if (q < 0) q = -q;
                    else if (q >= len) q = 2 * (len - 1) - q;
                    double v = q < n ? audio[(int) q] : 0.0;
                    buf[k] = v * window[k];
                    zero &= v == 0;
                }
                float[] col = silent;
                if (!zero) {
                    melColumn(fft, buf, spectrum, column);
                    col = column;
                }
                for (int m = 0; m < nMels; m++) out[m * frames + t] = col[m];
            }
        });
        return out;
    }

    /** One frame: {@code buf} (windowed samples, overwritten by its FFT) to the log-mel column {@code out}. */
    private void melColumn(DoubleFFT_1D fft, double[] buf, double[] spectrum, float[] out) {
        fft.realForward(buf); // even n: buf = [Re0, Re(n/2), Re1, Im1, ..., Re(n/2-1), Im(n/2-1)]
        double eps = spec.magnitudeEpsilon();
        boolean magnitude = spec.power() == 1;
        for (int k = 0; k < bins; k++) {
            double re, im;
            if (k == 0) { re = buf[0]; im = 0; }
            else if (2 * k == nFft) { re = buf[1]; im = 0; }
            else { re = buf[2 * k]; im = buf[2 * k + 1]; }
            double s = k == 0 || 2 * k == nFft ? re * re : re * re + im * im;
            if (eps != 0) s += eps;
            spectrum[k] = magnitude ? Math.sqrt(s) : s;
        }
        boolean log10 = spec.log() == MelSpectrogram.Log.LOG10;
        double floor = spec.logFloor();
        for (int m = 0; m < nMels; m++) {
            double s = 0;
            int row = m * bins;
            for (int k = lo[m]; k < hi[m]; k++) s += fw[row + k] * spectrum[k];
            double x = Math.max(s, floor);
            out[m] = (float) (log10 ? Math.log10(x) : Math.log(x));
        }
    }
}
