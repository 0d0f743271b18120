package org.synesthesia.audio;

import java.util.Arrays;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Whisper's log-Mel spectrogram ({@code whisper.audio.log_mel_spectrogram}) of 16 kHz mono audio.
 *
 * <p>{@code x = audio ++ zeros(padding)}; STFT with n_fft 400, hop 160, periodic Hann window
 * {@code w[k] = 0.5 - 0.5 cos(2 pi k / 400)}, {@code center=True} (x reflect-padded by 200 on both sides); the
 * last frame is dropped, so there are {@code len(x) / 160} frames. Then {@code |X|^2} (201 bins), the mel
 * filters ({@link MelFilters#whisper}), {@code log10(max(., 1e-10))}, {@code max(., global_max - 8)},
 * {@code (. + 4) / 4}. The result is {@code [n_mels, frames]}: {@link MelSpectrogram#whisper} computes it.
 *
 * <p>How {@code whisper.transcribe} uses it: {@link #forTranscription} is the mel of the whole recording
 * padded with 30 s of zeros ({@code content frames + 3000} frames, the clamp taken over all of them), and the
 * model's input for the window starting at frame {@code seek} is {@link #window}: frames {@code [seek, seek +
 * min(3000, content - seek))} padded with 0.0 (in the log-Mel domain) to 3000. {@link #firstWindow} does both
 * for the first window.
 */
public final class LogMel {
    public static final int SAMPLE_RATE = 16_000;
    public static final int N_FFT = 400;
    static final int HOP = 160;
    /** 30 s at 16 kHz: whisper's window ({@code N_SAMPLES}). */
    static final int CHUNK_SAMPLES = 480_000;
    /** Frames in one 30 s window ({@code N_FRAMES}). */
    public static final int N_FRAMES = 3000;
    private static final int BINS = N_FFT / 2 + 1;

    private LogMel() {}

    /** {@code log_mel_spectrogram(audio, n_mels)}: {@code [nMels, audio.length / 160]}. */
    static Tensor compute(float[] audio, int nMels) {
        return compute(audio, nMels, 0);
    }

    /** {@code log_mel_spectrogram(audio, n_mels, padding)}: {@code [nMels, (audio.length + padding) / 160]}. */
    static Tensor compute(float[] audio, int nMels, int padding) {
        if (nMels != 80 && nMels != 128) throw new SynesthesiaException("whisper uses 80 or 128 mel bins, not " + nMels);
        return compute(audio, MelFilters.whisper(nMels), padding);
    }

    /**
     * As above with a model's own filterbank {@code filters} [nMels, 201] (a converted or whisper.cpp file carries
     * one; for the released models it equals {@link MelFilters#whisper}).
     */
    static Tensor compute(float[] audio, Tensor filters, int padding) {
        if (filters.rank() != 2 || filters.dim(1) != BINS)
            throw new IllegalArgumentException("mel filters must be [n_mels, " + BINS + "], got " + Arrays.toString(filters.shape()));
        return MelSpectrogram.whisper(filters.dim(0)).compute(audio, filters, padding);
    }

    /** The mel of the whole recording padded with 30 s of zeros, as whisper.transcribe computes it: {@code [nMels, len/160 + 3000]}. */
    public static Tensor forTranscription(float[] audio, int nMels) {
        return compute(audio, nMels, CHUNK_SAMPLES);
    }

    /** {@link #forTranscription(float[], int)} with a model's own filterbank [nMels, 201]. */
    public static Tensor forTranscription(float[] audio, Tensor filters) {
        return compute(audio, filters, CHUNK_SAMPLES);
    }

    /** Frames of real audio in {@link #forTranscription}'s output: {@code samples / 160}. */
    public static int contentFrames(int samples) {
        return samples / HOP;
    }

    /**
     * The model input for the window at frame {@code seek}: {@code mel[:, seek : seek + min(3000, content - seek)]}
     * padded with 0.0 to {@code [nMels, 3000]} (whisper's {@code pad_or_trim} of the segment).
     */
    static Tensor window(Tensor mel, int seek, int contentFrames) {
        if (mel.rank() != 2) throw new IllegalArgumentException("mel must be [n_mels, frames], not " + Arrays.toString(mel.shape()));
        int nMels = mel.dim(0), frames = mel.dim(1);
        if (seek < 0 || contentFrames > frames || seek > contentFrames)
            throw new IllegalArgumentException("window at frame " + seek + " of " + contentFrames + " content frames (" + frames + " in all)");
        int take = Math.min(N_FRAMES, contentFrames - seek);
        Tensor m = mel.contiguous();
        float[] src = m.data();
        int off = m.offset();
        float[] out = new float[nMels * N_FRAMES];
        for (int r = 0; r < nMels; r++) System.arraycopy(src, off + r * frames + seek, out, r * N_FRAMES, take);
        return Tensor.of(out, nMels, N_FRAMES);
    }

    /** What whisper.transcribe feeds the encoder for the first 30 s of {@code audio}: {@code [nMels, 3000]}. */
    public static Tensor firstWindow(float[] audio, int nMels) {
        return window(forTranscription(audio, nMels), 0, contentFrames(audio.length));
    }

    /** whisper's {@code pad_or_trim} on audio: the first {@code length} samples, zero-padded if shorter. */
    static float[] padOrTrim(float[] audio, int length) {
        return Arrays.copyOf(audio, length);
    }
}
