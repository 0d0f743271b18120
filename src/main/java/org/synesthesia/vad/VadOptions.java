package org.synesthesia.vad;

/**
 * The parameters of {@code get_speech_timestamps} (snakers4/silero-vad utils_vad), at 16 kHz.
 *
 * @param threshold          a window is speech when its probability is at least this
 * @param negThreshold       speech ends only below this (the reference: {@code max(threshold - 0.15, 0.01)})
 * @param minSpeechMs        shorter segments are dropped
 * @param minSilenceMs       silence this long ends a segment
 * @param speechPadMs        padding added on each side of a segment
 * @param maxSpeechS         longer segments are split (at the longest silence over 98 ms if any); infinity: never
 * @param minSilenceAtMaxSpeechMs silences longer than this are split candidates (98 in the reference)
 */
public record VadOptions(double threshold, double negThreshold, double minSpeechMs, double minSilenceMs, double speechPadMs,
                         double maxSpeechS, double minSilenceAtMaxSpeechMs) {
    public static final VadOptions DEFAULTS = of(0.5, 250, 100, 30, Double.POSITIVE_INFINITY);

    public VadOptions {
        if (!(threshold > 0 && threshold < 1)) throw new IllegalArgumentException("VAD threshold " + threshold + ", expected in (0, 1)");
        if (!(negThreshold >= 0 && negThreshold <= threshold))
            throw new IllegalArgumentException("VAD negative threshold " + negThreshold + ", expected in [0, threshold " + threshold + "]");
        if (!(minSpeechMs >= 0) || !(minSilenceMs >= 0) || !(speechPadMs >= 0) || !(minSilenceAtMaxSpeechMs >= 0))
            throw new IllegalArgumentException("VAD durations must be >= 0: min speech " + minSpeechMs + " ms, min silence " + minSilenceMs
                    + " ms, pad " + speechPadMs + " ms");
        if (!(maxSpeechS > 0)) throw new IllegalArgumentException("VAD max speech " + maxSpeechS + " s, expected > 0");
    }

    /** The reference's negative threshold {@code max(threshold - 0.15, 0.01)} and its 98 ms split silence. */
    public static VadOptions of(double threshold, double minSpeechMs, double minSilenceMs, double speechPadMs, double maxSpeechS) {
        return new VadOptions(threshold, Math.max(threshold - 0.15, 0.01), minSpeechMs, minSilenceMs, speechPadMs, maxSpeechS, 98);
    }
}
