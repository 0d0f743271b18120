package org.synesthesia.whisper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * openai {@code detect_language}: the logits after the start-of-transcript token alone, restricted to the language
 * tokens; the language is their argmax and the probabilities their softmax.
 *
 * @param language code of the most likely language
 * @param probs    probability of each language code, in the tokenizer's order (sums to 1)
 */
public record LanguageDetection(String language, Map<String, Double> probs) {
    public LanguageDetection {
        probs = Collections.unmodifiableMap(new LinkedHashMap<>(probs));
    }

    /** Detects the language of the audio behind {@code source} (one decoder pass over {@code [<|startoftranscript|>]}). */
    static LanguageDetection detect(LogitsSource source, WhisperTokenizer tokenizer) {
        if (!tokenizer.multilingual()) throw new IllegalStateException("an English-only model has no language tokens to detect a language with");
        float[] logits = new float[source.nVocab()];
        source.lastLogits(new int[][] {{tokenizer.sot()}}, new LogitsSource.Sequence[] {source.newSequence()}, logits);
        return fromLogits(logits, tokenizer);
    }

    /** The detection from the logits at the start-of-transcript position [n_vocab]. */
    static LanguageDetection fromLogits(float[] logits, WhisperTokenizer tokenizer) {
        int[] ids = tokenizer.allLanguageTokens();
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int i = 0; i < ids.length; i++)
            if (logits[ids[i]] > max) {
                max = logits[ids[i]];
                best = i;
            }
        double sum = 0;
        double[] e = new double[ids.length];
        for (int i = 0; i < ids.length; i++) sum += e[i] = Math.exp(logits[ids[i]] - max);
        Map<String, Double> probs = new LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) probs.put(tokenizer.languageCode(ids[i]), e[i] / sum);
        return new LanguageDetection(tokenizer.languageCode(ids[best]), probs);
    }
}
