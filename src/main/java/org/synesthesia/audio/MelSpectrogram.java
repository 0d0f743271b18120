package org.synesthesia.audio;

import java.util.Arrays;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * A (log-)Mel spectrogram recipe and its computation: {@link #compute} gives {@code [nMels, frames]}.
 *
 * <p>Steps, for audio {@code y} of {@code N} samples:
 * <ol>
 *   <li>padding: {@code y} reflect-padded by {@code p} on both sides ({@code y[-i] = y[i]}, {@code y[N-1+i] =
 *       y[N-1-i]}); {@link Padding#CENTER_REFLECT}: {@code p = nFft / 2} ({@code torch.stft(center=True,
 *       pad_mode="reflect")}); {@link Padding#HALF_OVERLAP_REFLECT}: {@code p = (nFft - hop) / 2} then
 *       {@code center=False} (HiFi-GAN's {@code meldataset.mel_spectrogram});</li>
 *   <li>frames: frame {@code t} is padded samples {@code [t * hop, t * hop + nFft)},
 *       {@code frames = 1 + (N + 2p - nFft) / hop}, one fewer with {@code dropLastFrame} (whisper's
 *       {@code stft[..., :-1]});</li>
 *   <li>window: periodic Hann {@code w[k] = 0.5 - 0.5 cos(2 pi k / winLength)}, zero-padded on both sides to
 *       {@code nFft} as {@code torch.stft} centres it;</li>
 *   <li>spectrum of each windowed frame, bins {@code 0..nFft/2}: {@code s = re^2 + im^2 + magnitudeEpsilon},
 *       then {@code s} ({@code power} 2) or {@code sqrt(s)} ({@code power} 1);</li>
 *   <li>mel: the filterbank {@code [nMels, nFft/2 + 1]} ({@link MelFilters#slaney}) times the spectrum;</li>
 *   <li>log: {@code log10(max(x, logFloor))} ({@link Log#LOG10}) or {@code ln(max(x, logFloor))}
 *       ({@link Log#LN}, HiFi-GAN's and AudioLDM's "dynamic range compression");</li>
 *   <li>normalisation: {@link Normalisation#WHISPER} {@code (max(x, max_all - 8) + 4) / 4} with the maximum taken
 *       over the whole output; {@link Normalisation#NONE} leaves the log values.</li>
 * </ol>
 * Computed in double (FFT by JTransforms, see {@link MelFrames}), stored as float.
 */
public record MelSpectrogram(int sampleRate, int nFft, int winLength, int hop, Window window, Padding padding,
        boolean dropLastFrame, int nMels, double fmin, double fmax, FilterNorm filterNorm, int power,
        double magnitudeEpsilon, Log log, double logFloor, Normalisation normalisation) {

    /** The analysis window. */
    public enum Window {
        /** {@code 0.5 - 0.5 cos(2 pi k / winLength)}, {@code k < winLength} ({@code torch.hann_window}, {@code scipy get_window("hann", fftbins=True)}). */
        HANN_PERIODIC
    }

    /** How the audio is extended before framing. */
    public enum Padding {
        /** Reflect by {@code nFft / 2} on both sides: frames are centred on {@code t * hop}. */
        CENTER_REFLECT,
        /** Reflect by {@code (nFft - hop) / 2} on both sides, frames not centred. */
        HALF_OVERLAP_REFLECT
    }

    /** Filter normalisation ({@code librosa.filters.mel(norm=)}). */
    public enum FilterNorm {
        /** Each triangle scaled by {@code 2 / (f_right - f_left)}: equal area. */
        SLANEY,
        /** Triangles of peak 1. */
        NONE
    }

    /** Logarithm applied after the filterbank, to {@code max(x, logFloor)}. */
    public enum Log {
        LOG10,
        LN
    }

    /** What is done to the log values. */
    public enum Normalisation {
        /** {@code (max(x, max_all - 8) + 4) / 4}. */
        WHISPER,
        NONE
    }

    public MelSpectrogram {
        if (sampleRate <= 0 || nFft <= 0 || nFft % 2 != 0 || hop <= 0 || winLength <= 0 || winLength > nFft || nMels <= 0)
            throw new IllegalArgumentException("bad mel spectrogram parameters (n_fft even, win <= n_fft): sr " + sampleRate + ", n_fft " + nFft + ", win " + winLength + ", hop " + hop + ", n_mels " + nMels);
        if (padding == Padding.HALF_OVERLAP_REFLECT && hop > nFft)
            throw new IllegalArgumentException("hop " + hop + " larger than n_fft " + nFft + " with half-overlap padding");
        if (!(fmin >= 0) || !(fmax > fmin) || fmax > sampleRate / 2.0)
            throw new IllegalArgumentException("mel range [" + fmin + ", " + fmax + "] Hz outside [0, " + sampleRate / 2.0 + "]");
        if (power != 1 && power != 2) throw new IllegalArgumentException("power must be 1 (magnitude) or 2 (power), not " + power);
        if (!(magnitudeEpsilon >= 0) || !(logFloor > 0))
            throw new IllegalArgumentException("magnitude epsilon " + magnitudeEpsilon + " must be >= 0 and log floor " + logFloor + " > 0");
        if (window == null || padding == null || filterNorm == null || log == null || normalisation == null)
            throw new IllegalArgumentException("mel spectrogram: window, padding, filter norm, log and normalisation must be given");
    }

    /**
     * whisper's {@code log_mel_spectrogram}: 16 kHz, n_fft 400, hop 160, centred reflect padding, last frame dropped,
     * {@code |X|^2}, Slaney filters over 0-8 kHz, {@code log10(max(., 1e-10))}, whisper's normalisation.
     */
    public static MelSpectrogram whisper(int nMels) {
        return new MelSpectrogram(LogMel.SAMPLE_RATE, LogMel.N_FFT, LogMel.N_FFT, LogMel.HOP, Window.HANN_PERIODIC,
                Padding.CENTER_REFLECT, true, nMels, 0.0, LogMel.SAMPLE_RATE / 2.0, FilterNorm.SLANEY, 2, 0.0,
                Log.LOG10, 1e-10, Normalisation.WHISPER);
    }

    /**
     * jik876/hifi-gan's {@code meldataset.mel_spectrogram} with the LJSpeech config: 22,050 Hz, n_fft 1024, win
     * 1024, hop 256, reflect padding of 384 and {@code center=False}, {@code sqrt(re^2 + im^2 + 1e-9)}, 80 Slaney
     * filters over 0-8 kHz, {@code ln(max(., 1e-5))}.
     */
    public static MelSpectrogram hifiganLjSpeech() {
        return new MelSpectrogram(22_050, 1024, 1024, 256, Window.HANN_PERIODIC, Padding.HALF_OVERLAP_REFLECT, false,
                80, 0.0, 8000.0, FilterNorm.SLANEY, 1, 1e-9, Log.LN, 1e-5, Normalisation.NONE);
    }

    /**
     * AudioLDM's {@code TacotronSTFT.mel_spectrogram} with its default config: 16 kHz, n_fft 1024, win 1024, hop
     * 160, reflect padding of 512 (centred frames, {@code 1 + N / 160} of them), {@code sqrt(re^2 + im^2)}, 64 Slaney
     * filters over 0-8 kHz, {@code ln(max(., 1e-5))}.
     */
    public static MelSpectrogram audioldm() {
        return new MelSpectrogram(16_000, 1024, 1024, 160, Window.HANN_PERIODIC, Padding.CENTER_REFLECT, false,
                64, 0.0, 8000.0, FilterNorm.SLANEY, 1, 0.0, Log.LN, 1e-5, Normalisation.NONE);
    }

    /** A preset by name: {@code whisper} (80 bins), {@code whisper128}, {@code hifigan}, {@code audioldm}. */
    public static MelSpectrogram preset(String name) {
        return switch (name) {
            case "whisper" -> whisper(80);
            case "whisper128" -> whisper(128);
            case "hifigan" -> hifiganLjSpeech();
            case "audioldm" -> audioldm();
            default -> throw new SynesthesiaException("unknown mel preset '" + name + "' (whisper, whisper128, hifigan, audioldm)");
        };
    }

    /** Frequency bins of the one-sided spectrum: {@code nFft / 2 + 1}. */
    public int bins() {
        return nFft / 2 + 1;
    }

    /** Reflect padding on each side: {@code nFft / 2} or {@code (nFft - hop) / 2}. */
    public int padSamples() {
        return padding == Padding.CENTER_REFLECT ? nFft / 2 : (nFft - hop) / 2;
    }

    /** Frames of {@code samples} samples of audio, or 0 where it is too short to frame. */
    public long frames(long samples) {
        int pad = padSamples();
        if (samples <= pad || samples + 2L * pad < nFft) return 0;
        long f = 1 + (samples + 2L * pad - nFft) / hop;
        return dropLastFrame ? f - 1 : f;
    }

    /** The filterbank this recipe uses, {@code [nMels, nFft/2 + 1]} (shared: do not modify). */
    Tensor filters() {
        return MelFilters.shared(sampleRate, nFft, nMels, fmin, fmax, filterNorm == FilterNorm.SLANEY);
    }

    /** The analysis window, zero-padded to {@code nFft}. */
    double[] windowFunction() {
        double[] w = new double[nFft];
        int off = (nFft - winLength) / 2;
        for (int k = 0; k < winLength; k++) w[off + k] = 0.5 - 0.5 * Math.cos(2 * Math.PI * k / winLength);
        return w;
    }

    /** The spectrogram of {@code audio} (at {@link #sampleRate}): {@code [nMels, frames(audio.length)]}. */
    public Tensor compute(float[] audio) {
        return compute(audio, filters(), 0);
    }

    /** The spectrogram of {@code audio} followed by {@code zeroPadding} zeros. */
    public Tensor compute(float[] audio, int zeroPadding) {
        return compute(audio, filters(), zeroPadding);
    }

    /** As {@link #compute(float[], int)} with a given filterbank {@code [nMels, nFft/2 + 1]} (e.g. a model file's own). */
    public Tensor compute(float[] audio, Tensor filters, int zeroPadding) {
        if (filters.rank() != 2 || filters.dim(0) != nMels || filters.dim(1) != bins())
            throw new IllegalArgumentException("mel filters must be [" + nMels + ", " + bins() + "], got " + Arrays.toString(filters.shape()));
        if (zeroPadding < 0) throw new IllegalArgumentException("negative padding " + zeroPadding);
        long len = (long) audio.length + zeroPadding;
        long framesL = frames(len);
        if (framesL <= 0) {
            int need = Math.max(padSamples() + 1, nFft - 2 * padSamples());
            throw new SynesthesiaException("audio of " + audio.length + " samples is too short for a log-Mel spectrogram (needs more than " + (need - 1) + ")");
        }
        if (framesL * nMels > Integer.MAX_VALUE - 8) throw new SynesthesiaException("audio too long for one log-Mel spectrogram: " + audio.length + " samples");
        int frames = (int) framesL;
        float[] out = new MelFrames(this, filters).compute(audio, len, frames);
        if (normalisation == Normalisation.WHISPER) whisperNormalise(out);
        return Tensor.of(out, nMels, frames);
    }

    /** {@code x = (max(x, max_all - 8) + 4) / 4} in float, in place. */
    private static void whisperNormalise(float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : out) max = Math.max(max, v);
        float floor = max - 8f;
        Parallel.forRange(out.length, 1 << 16, (a, b) -> {
            for (int i = a; i < b; i++) out[i] = (Math.max(out[i], floor) + 4f) / 4f;
        });
    }

    /**
     * Mean of {@code |a - b|} over two log-Mel spectrograms {@code [nMels, frames]} with the same bins, over the
     * frames both have (the first {@code min(framesA, framesB)}): how far a resynthesis is from its source.
     */
    public static double meanAbsLogMelDistance(Tensor a, Tensor b) {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(0))
            throw new IllegalArgumentException("log-Mel spectrograms must be [n_mels, frames] with the same n_mels: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        int m = a.dim(0), fa = a.dim(1), fb = b.dim(1), f = Math.min(fa, fb);
        if (f == 0) throw new IllegalArgumentException("no frames to compare");
        float[] x = a.toArray(), y = b.toArray();
        double s = 0;
        for (int r = 0; r < m; r++)
            for (int t = 0; t < f; t++) s += Math.abs((double) x[r * fa + t] - y[r * fb + t]);
        return s / ((double) m * f);
    }
}
