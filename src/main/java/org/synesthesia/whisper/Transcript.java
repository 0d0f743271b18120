package org.synesthesia.whisper;

import java.util.List;

/**
 * The result of transcribing one audio file (openai {@code transcribe}'s {@code dict(text, segments, language)}).
 *
 * @param text     all segments' texts concatenated
 * @param segments in time order
 * @param language the code of the (given or detected) language, e.g. {@code "en"}
 */
public record Transcript(String text, List<Segment> segments, String language) {
    public Transcript {
        segments = List.copyOf(segments);
    }

    /** A transcript whose text is the concatenation of {@code segments}' texts. */
    public static Transcript of(List<Segment> segments, String language) {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) b.append(s.text());
        return new Transcript(b.toString(), segments, language);
    }
}
