package org.synesthesia.audio;

import java.util.Locale;

/**
 * Mono audio: {@code samples} at {@code sampleRate} Hz, nominally in [-1, 1) (integer PCM is divided by
 * 2^(bits-1), so int16 becomes s/32768 exactly as whisper's loader does; float files keep their values).
 * The array is not copied: treat it as read-only once wrapped.
 */
public record Audio(float[] samples, int sampleRate) {
    public Audio {
        if (samples == null) throw new IllegalArgumentException("samples is null");
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive, not " + sampleRate);
    }

    public int length() {
        return samples.length;
    }

    /** Duration in seconds. */
    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Audio[%d samples, %d Hz, %.3f s]", samples.length, sampleRate, seconds());
    }
}
