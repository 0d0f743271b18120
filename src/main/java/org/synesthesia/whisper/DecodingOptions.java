package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.util.SynesthesiaException;

/**
 * Options of one 30 s window's decoding (openai {@code DecodingOptions}).
 *
 * @param task                transcribe (X to X) or translate (X to English)
 * @param language            language code or name; null: detect it from the audio
 * @param temperature         0: greedy (argmax) or beam search; above 0: sampling from softmax(logits / T)
 * @param sampleLen           most tokens to sample; null: n_text_ctx / 2
 * @param bestOf              candidates sampled at temperature > 0 (null: 1); the most likely one is kept
 * @param beamSize            beams of beam search, which ignores the temperature (null: greedy or sampling)
 * @param patience            beam search keeps going until beamSize * patience candidates finished (null: 1)
 * @param lengthPenalty       ranking: sum logprob / ((5 + length) / 6)^alpha; null: sum logprob / length
 * @param prompt              tokens of previous text, given after {@code <|startofprev|>}; null: none
 * @param prefix              tokens forced at the start of this window's text; null: none
 * @param suppressTokens      comma-separated ids never sampled, "-1" meaning the non-speech symbols; "" none
 * @param suppressBlank       no blank (" ") and no end of text as the first sampled token
 * @param withoutTimestamps   {@code <|notimestamps|>}: text tokens only
 * @param maxInitialTimestamp the first timestamp may be at most this many seconds (null: no limit)
 * @param seed                seed of the sampling random numbers (temperature > 0)
 */
public record DecodingOptions(WhisperTokenizer.Task task, String language, double temperature, Integer sampleLen,
                              Integer bestOf, Integer beamSize, Double patience, Double lengthPenalty, int[] prompt,
                              int[] prefix, String suppressTokens, boolean suppressBlank, boolean withoutTimestamps,
                              Double maxInitialTimestamp, long seed) {
    /** openai's defaults: transcribe, detect the language, greedy, suppress "-1" and blanks, timestamps, max initial 1.0 s. */
    public static final DecodingOptions DEFAULT = new DecodingOptions(WhisperTokenizer.Task.TRANSCRIBE, null, 0.0, null,
            null, null, null, null, null, null, "-1", true, false, 1.0, 0L);

    public DecodingOptions {
        if (task == null) task = WhisperTokenizer.Task.TRANSCRIBE;
        if (suppressTokens == null) suppressTokens = "";
        prompt = prompt == null ? null : prompt.clone();
        prefix = prefix == null ? null : prefix.clone();
        if (!(temperature >= 0)) throw new SynesthesiaException("temperature must be >= 0, not " + temperature);
        if (lengthPenalty != null && !(lengthPenalty >= 0 && lengthPenalty <= 1))
            throw new SynesthesiaException("length penalty (alpha) should be a value between 0 and 1, not " + lengthPenalty);
        if (beamSize != null && beamSize < 1) throw new SynesthesiaException("beam size must be >= 1, not " + beamSize);
        if (bestOf != null && bestOf < 1) throw new SynesthesiaException("best-of must be >= 1, not " + bestOf);
        if (sampleLen != null && sampleLen < 1) throw new SynesthesiaException("sample length must be >= 1, not " + sampleLen);
        if (patience != null && !(patience > 0)) throw new SynesthesiaException("patience must be > 0, not " + patience);
    }

    /**
     * The checks on combinations, made when a window is decoded (the transcriber holds beam size and best-of together
     * and drops one per temperature, as openai's CLI does).
     */
    DecodingOptions validate() {
        if (beamSize != null && bestOf != null) throw new SynesthesiaException("beam size and best-of can't be given together");
        if (temperature == 0 && bestOf != null) throw new SynesthesiaException("best-of with greedy sampling (temperature 0) is not compatible");
        if (patience != null && beamSize == null) throw new SynesthesiaException("patience requires beam size to be given");
        return this;
    }

    @Override
    public int[] prompt() {
        return prompt == null ? null : prompt.clone();
    }

    @Override
    public int[] prefix() {
        return prefix == null ? null : prefix.clone();
    }

    /** Sequences decoded side by side: beams, best-of candidates, or 1. */
    int groupSize() {
        return beamSize != null ? beamSize : bestOf != null ? bestOf : 1;
    }

    /** The ids of {@link #suppressTokens} ("-1" kept as -1). */
    int[] suppressTokenIds() {
        String s = suppressTokens.strip();
        if (s.isEmpty()) return new int[0];
        try {
            return Arrays.stream(s.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new SynesthesiaException("suppress tokens must be comma-separated integers, not '" + suppressTokens + "'");
        }
    }

    public DecodingOptions withTask(WhisperTokenizer.Task v) {
        return new DecodingOptions(v, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withLanguage(String v) {
        return new DecodingOptions(task, v, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withTemperature(double v) {
        return new DecodingOptions(task, language, v, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withSampleLen(Integer v) {
        return new DecodingOptions(task, language, temperature, v, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withBestOf(Integer v) {
        return new DecodingOptions(task, language, temperature, sampleLen, v, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    /** Beam search with {@code beamSize} beams and {@code patience} (null: 1). */
    public DecodingOptions withBeamSize(Integer beamSize, Double patience) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withLengthPenalty(Double v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, v, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withPrompt(int[] v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, v, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withPrefix(int[] v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, v, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withSuppressTokens(String v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, v, suppressBlank, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withSuppressBlank(boolean v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, v, withoutTimestamps, maxInitialTimestamp, seed);
    }

    public DecodingOptions withoutTimestamps(boolean v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, v, maxInitialTimestamp, seed);
    }

    public DecodingOptions withMaxInitialTimestamp(Double v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, v, seed);
    }

    public DecodingOptions withSeed(long v) {
        return new DecodingOptions(task, language, temperature, sampleLen, bestOf, beamSize, patience, lengthPenalty, prompt, prefix, suppressTokens, suppressBlank, withoutTimestamps, maxInitialTimestamp, v);
    }

    /** No token suppression, no blank suppression, no timestamps: the raw argmax of the model. */
    public DecodingOptions withoutFilters() {
        return withSuppressTokens("").withSuppressBlank(false).withoutTimestamps(true);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodingOptions d && task == d.task && java.util.Objects.equals(language, d.language)
                && Double.compare(temperature, d.temperature) == 0 && java.util.Objects.equals(sampleLen, d.sampleLen)
                && java.util.Objects.equals(bestOf, d.bestOf) && java.util.Objects.equals(beamSize, d.beamSize)
                && java.util.Objects.equals(patience, d.patience) && java.util.Objects.equals(lengthPenalty, d.lengthPenalty)
                && Arrays.equals(prompt, d.prompt) && Arrays.equals(prefix, d.prefix) && suppressTokens.equals(d.suppressTokens)
                && suppressBlank == d.suppressBlank && withoutTimestamps == d.withoutTimestamps
                && java.util.Objects.equals(maxInitialTimestamp, d.maxInitialTimestamp) && seed == d.seed;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(task, language, temperature, sampleLen, bestOf, beamSize, Arrays.hashCode(prompt), Arrays.hashCode(prefix), seed);
    }

    @Override
    public String toString() {
        return "DecodingOptions[task=" + task + ", language=" + language + ", temperature=" + temperature + ", beamSize=" + beamSize
                + ", bestOf=" + bestOf + ", withoutTimestamps=" + withoutTimestamps + "]";
    }
}
