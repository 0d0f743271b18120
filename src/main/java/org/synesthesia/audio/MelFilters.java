package org.synesthesia.audio;

import java.util.concurrent.ConcurrentHashMap;
import org.synesthesia.tensor.Tensor;

/**
 * Mel filterbanks as {@code librosa.filters.mel(sr=, n_fft=, n_mels=, fmin=, fmax=, norm=)} builds them (Slaney
 * mel scale, {@code htk=False}, float32); with the defaults (fmin 0, fmax sr/2, Slaney area normalisation) this is
 * how whisper's {@code mel_filters.npz} was made. The arithmetic follows numpy's order so the float32 result
 * matches the shipped arrays.
 *
 * <p>Slaney scale: {@code mel = f / (200/3)} below 1 kHz, {@code 15 + ln(f / 1000) / (ln(6.4) / 27)} above.
 * {@code n_mels + 2} points evenly spaced in mel between {@code hz_to_mel(fmin)} and {@code hz_to_mel(fmax)} give
 * the band edges {@code mel_f}; filter {@code i} is the triangle {@code max(0, min((f - mel_f[i]) / (mel_f[i+1] -
 * mel_f[i]), (mel_f[i+2] - f) / (mel_f[i+2] - mel_f[i+1])))} on the FFT bin frequencies {@code k * sr / n_fft},
 * rounded to float32, then (Slaney normalisation) scaled by {@code 2 / (mel_f[i+2] - mel_f[i])}.
 */
public final class MelFilters {
    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = (MIN_LOG_HZ - 0.0) / F_SP;
    private static final double LOG_STEP = StrictMath.log(6.4) / 27.0;
    private static final ConcurrentHashMap<Key, Tensor> CACHE = new ConcurrentHashMap<>();

    private record Key(int sampleRate, int nFft, int nMels, double fmin, double fmax, boolean slaneyNorm) {}

    private MelFilters() {}

    /** Whisper's filterbank for {@code nMels} (80 or 128): {@code [nMels, 201]} for 16 kHz and n_fft 400. Shared: do not modify. */
    public static Tensor whisper(int nMels) {
        return shared(LogMel.SAMPLE_RATE, LogMel.N_FFT, nMels, 0.0, LogMel.SAMPLE_RATE / 2.0, true);
    }

    /** {@link #slaney(int, int, int, double, double, boolean)}, built once per parameter set and shared: do not modify. */
    static Tensor shared(int sampleRate, int nFft, int nMels, double fmin, double fmax, boolean slaneyNorm) {
        return CACHE.computeIfAbsent(new Key(sampleRate, nFft, nMels, fmin, fmax, slaneyNorm),
                k -> slaney(k.sampleRate(), k.nFft(), k.nMels(), k.fmin(), k.fmax(), k.slaneyNorm()));
    }

    /** {@code librosa.filters.mel(sr=sampleRate, n_fft=nFft, n_mels=nMels)}: {@code [nMels, nFft/2 + 1]}. */
    static Tensor slaney(int sampleRate, int nFft, int nMels) {
        return slaney(sampleRate, nFft, nMels, 0.0, sampleRate / 2.0, true);
    }

    /**
     * {@code librosa.filters.mel(sr=sampleRate, n_fft=nFft, n_mels=nMels, fmin=fmin, fmax=fmax, norm="slaney" if
     * slaneyNorm else None)}: {@code [nMels, nFft/2 + 1]}.
     */
    static Tensor slaney(int sampleRate, int nFft, int nMels, double fmin, double fmax, boolean slaneyNorm) {
        if (sampleRate <= 0 || nFft <= 0 || nMels <= 0 || !(fmin >= 0) || !(fmax > fmin))
            throw new IllegalArgumentException("bad mel filterbank parameters: sr " + sampleRate + ", n_fft " + nFft + ", n_mels " + nMels + ", fmin " + fmin + ", fmax " + fmax);
        int bins = nFft / 2 + 1;
        // fft_frequencies: np.fft.rfftfreq(n_fft, d=1/sr) = k * (1 / (n_fft * (1/sr)))
        double val = 1.0 / (nFft * (1.0 / sampleRate));
        double[] fftFreqs = new double[bins];
        for (int k = 0; k < bins; k++) fftFreqs[k] = k * val;
        // mel_frequencies: np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2) mapped back to Hz
        int points = nMels + 2;
        double start = hzToMel(fmin), stop = hzToMel(fmax), step = (stop - start) / (points - 1);
        double[] melF = new double[points];
        for (int i = 0; i < points; i++) melF[i] = melToHz(i == points - 1 ? stop : i * step + start);
        float[] w = new float[nMels * bins];
        for (int i = 0; i < nMels; i++) {
            double d0 = melF[i + 1] - melF[i], d1 = melF[i + 2] - melF[i + 1];
            double enorm = slaneyNorm ? 2.0 / (melF[i + 2] - melF[i]) : 1.0;
            for (int k = 0; k < bins; k++) {
                double lower = -(melF[i] - fftFreqs[k]) / d0;
                double upper = (melF[i + 2] - fftFreqs[k]) / d1;
                float tri = (float) Math.max(0.0, Math.min(lower, upper));
                w[i * bins + k] = (float) (tri * enorm);
            }
        }
        return Tensor.of(w, nMels, bins);
    }

    /** Hz to mel on the Slaney scale (librosa {@code hz_to_mel(htk=False)}). */
    static double hzToMel(double hz) {
        if (hz >= MIN_LOG_HZ) return MIN_LOG_MEL + StrictMath.log(hz / MIN_LOG_HZ) / LOG_STEP;
        return (hz - 0.0) / F_SP;
    }

    /** Mel to Hz on the Slaney scale (librosa {@code mel_to_hz(htk=False)}). */
    static double melToHz(double mel) {
        if (mel >= MIN_LOG_MEL) return MIN_LOG_HZ * StrictMath.exp(LOG_STEP * (mel - MIN_LOG_MEL));
        return 0.0 + F_SP * mel;
    }
}
