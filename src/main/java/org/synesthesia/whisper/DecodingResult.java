package org.synesthesia.whisper;

import java.util.Map;

/**
 * The decoding of one 30 s window (openai {@code DecodingResult}).
 *
 * @param language         code of the language decoded in (given or detected)
 * @param languageProbs    probability of each language code when it was detected, else null
 * @param tokens           the sampled tokens, without the prompt and without the end of text
 * @param text             {@code tokens} decoded, stripped
 * @param avgLogprob       sum of the sampled tokens' log-probabilities / (tokens + 1)
 * @param noSpeechProb     probability of {@code <|nospeech|>} at the start-of-transcript position
 * @param temperature      the temperature used
 * @param compressionRatio {@link CompressionRatio} of {@code text}
 */
public record DecodingResult(String language, Map<String, Double> languageProbs, int[] tokens, String text,
                             double avgLogprob, double noSpeechProb, double temperature, double compressionRatio) {
    public DecodingResult {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
