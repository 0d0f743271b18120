package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.util.SynesthesiaException;

/**
 * Options of {@link Transcriber} (openai {@code transcribe}'s arguments).
 *
 * @param decoding                  per-window options; {@code temperature}, {@code prompt} are set per attempt
 * @param temperatures              tried in order until a decode passes the thresholds (openai: 0.0, 0.2, ... 1.0)
 * @param compressionRatioThreshold a decode whose text compresses better than this is too repetitive (2.4; null: no check)
 * @param logprobThreshold          a decode whose average log-probability is below this failed (-1.0; null: no check)
 * @param noSpeechThreshold         a window with no-speech probability above this and a failed average
 *                                  log-probability is silence: skipped (0.6; null: never)
 * @param conditionOnPreviousText   the previous windows' tokens prompt the next one (reset after a decode at
 *                                  temperature above 0.5)
 * @param initialPrompt             text prompting the first window; null: none
 */
public record TranscribeOptions(DecodingOptions decoding, double[] temperatures, Double compressionRatioThreshold,
                                Double logprobThreshold, Double noSpeechThreshold, boolean conditionOnPreviousText,
                                String initialPrompt) {
    /** 0.0, 0.2, 0.4, 0.6, 0.8, 1.0. */
    public static final double[] FALLBACK_TEMPERATURES = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};

    /** openai {@code transcribe}'s defaults over {@link DecodingOptions#DEFAULT}. */
    public static final TranscribeOptions DEFAULT = new TranscribeOptions(DecodingOptions.DEFAULT, FALLBACK_TEMPERATURES,
            2.4, -1.0, 0.6, true, null);

    public TranscribeOptions {
        if (temperatures == null || temperatures.length == 0) throw new SynesthesiaException("at least one temperature is needed");
        temperatures = temperatures.clone();
        for (double t : temperatures) if (!(t >= 0)) throw new SynesthesiaException("temperatures must be >= 0, not " + t);
    }

    /** openai's CLI: {@code np.arange(start, 1.0 + 1e-6, increment)}, or just {@code start} without an increment. */
    public static double[] fallbackTemperatures(double start, Double increment) {
        if (increment == null || increment <= 0) return new double[] {start};
        int n = (int) Math.ceil((1.0 + 1e-6 - start) / increment);
        if (n <= 0) return new double[] {start};
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = start + i * increment;
        return t;
    }

    @Override
    public double[] temperatures() {
        return temperatures.clone();
    }

    public TranscribeOptions withDecoding(DecodingOptions d) {
        return new TranscribeOptions(d, temperatures, compressionRatioThreshold, logprobThreshold, noSpeechThreshold, conditionOnPreviousText, initialPrompt);
    }

    public TranscribeOptions withTemperatures(double... t) {
        return new TranscribeOptions(decoding, t, compressionRatioThreshold, logprobThreshold, noSpeechThreshold, conditionOnPreviousText, initialPrompt);
    }

    public TranscribeOptions withThresholds(Double compressionRatio, Double logprob, Double noSpeech) {
        return new TranscribeOptions(decoding, temperatures, compressionRatio, logprob, noSpeech, conditionOnPreviousText, initialPrompt);
    }

    public TranscribeOptions withConditionOnPreviousText(boolean v) {
        return new TranscribeOptions(decoding, temperatures, compressionRatioThreshold, logprobThreshold, noSpeechThreshold, v, initialPrompt);
    }

    public TranscribeOptions withInitialPrompt(String v) {
        return new TranscribeOptions(decoding, temperatures, compressionRatioThreshold, logprobThreshold, noSpeechThreshold, conditionOnPreviousText, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TranscribeOptions t && decoding.equals(t.decoding) && Arrays.equals(temperatures, t.temperatures)
                && java.util.Objects.equals(compressionRatioThreshold, t.compressionRatioThreshold)
                && java.util.Objects.equals(logprobThreshold, t.logprobThreshold)
                && java.util.Objects.equals(noSpeechThreshold, t.noSpeechThreshold)
                && conditionOnPreviousText == t.conditionOnPreviousText && java.util.Objects.equals(initialPrompt, t.initialPrompt);
    }

    @Override
    public int hashCode() {
        return decoding.hashCode() * 31 + Arrays.hashCode(temperatures);
    }
}
