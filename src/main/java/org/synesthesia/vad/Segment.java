package org.synesthesia.vad;

/** A speech segment in samples of the 16 kHz audio, [start, end). */
public record Segment(long start, long end) {
    public double startSeconds() { return start / (double) SileroVad.SAMPLE_RATE; }

    public double endSeconds() { return end / (double) SileroVad.SAMPLE_RATE; }
}
