package org.synesthesia.whisper;

import java.util.Arrays;

/**
 * One transcribed segment as openai/whisper's {@code transcribe} reports it.
 *
 * @param id               index in the transcript, from 0
 * @param seek             mel frame (10 ms) where the 30 s window that produced it starts
 * @param start            start time in seconds
 * @param end              end time in seconds
 * @param text             decoded text (usually with a leading space)
 * @param tokens           its tokens, timestamp tokens included
 * @param temperature      sampling temperature of the accepted decode
 * @param avgLogprob       mean log-probability of the window's sampled tokens
 * @param compressionRatio {@link CompressionRatio} of the window's text
 * @param noSpeechProb     probability of {@code <|nospeech|>} at the start of the window
 */
public record Segment(int id, int seek, double start, double end, String text, int[] tokens, double temperature,
                      double avgLogprob, double compressionRatio, double noSpeechProb) {
    public Segment {
        tokens = tokens.clone();
    }

    /** The tokens (a copy). */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && id == s.id && seek == s.seek && Double.compare(start, s.start) == 0
                && Double.compare(end, s.end) == 0 && text.equals(s.text) && Arrays.equals(tokens, s.tokens)
                && Double.compare(temperature, s.temperature) == 0 && Double.compare(avgLogprob, s.avgLogprob) == 0
                && Double.compare(compressionRatio, s.compressionRatio) == 0 && Double.compare(noSpeechProb, s.noSpeechProb) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Integer.hashCode(id) + text.hashCode()) + Arrays.hashCode(tokens) + Double.hashCode(start);
    }

    @Override
    public String toString() {
        return "Segment[" + id + " " + start + "-" + end + " " + text + "]";
    }
}
