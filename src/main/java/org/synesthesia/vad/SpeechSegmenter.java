package org.synesthesia.vad;

import java.util.ArrayList;
import java.util.List;

/**
 * Speech segments from per-window speech probabilities, as {@code get_speech_timestamps} (snakers4/silero-vad
 * utils_vad) computes them at 16 kHz with 512-sample windows: a segment starts at the first window at or above the
 * threshold and ends where the probability has stayed below the negative threshold for the minimum silence;
 * segments not longer than the minimum speech are dropped; a segment longer than the maximum is split at the
 * longest silence over 98 ms inside it (else at the current window); then every segment is padded, neighbours
 * closer than two pads sharing the gap between them.
 */
public final class SpeechSegmenter {
    private SpeechSegmenter() {}

    /** Segments in samples of audio {@code audioLength} samples long whose windows have probabilities {@code probs}. */
    public static List<Segment> segments(float[] probs, long audioLength, VadOptions o) {
        final int w = SileroVad.WINDOW;
        final double sr = SileroVad.SAMPLE_RATE;
        double minSpeech = sr * o.minSpeechMs() / 1000;
        double pad = sr * o.speechPadMs() / 1000;
        double maxSpeech = sr * o.maxSpeechS() - w - 2 * pad;
        double minSilence = sr * o.minSilenceMs() / 1000;
        double minSilenceAtMax = sr * o.minSilenceAtMaxSpeechMs() / 1000;

        List<long[]> speeches = new ArrayList<>(); // {start, end}
        boolean triggered = false;
        long curStart = -1; // -1: no current segment
        long tempEnd = 0, prevEnd = 0, nextStart = 0;
        List<long[]> possibleEnds = new ArrayList<>(); // {end, silence length}

        for (int i = 0; i < probs.length; i++) {
            double p = probs[i];
            long at = (long) w * i;
            if (p >= o.threshold() && tempEnd != 0) {
                long silence = at - tempEnd;
                if (silence > minSilenceAtMax) possibleEnds.add(new long[] {tempEnd, silence});
                tempEnd = 0;
                if (nextStart < prevEnd) nextStart = at;
            }
            if (p >= o.threshold() && !triggered) {
                triggered = true;
                curStart = at;
                continue;
            }
            if (triggered && at - curStart > maxSpeech) {
                if (!possibleEnds.isEmpty()) {
                    long[] best = possibleEnds.getFirst();
                    for (long[] e : possibleEnds) if (e[1] > best[1]) best = e; // first of the longest
                    prevEnd = best[0];
                    speeches.add(new long[] {curStart, prevEnd});
                    curStart = -1;
                    nextStart = prevEnd + best[1];
                    if (nextStart < prevEnd + at) curStart = nextStart;
                    else triggered = false;
                    prevEnd = nextStart = tempEnd = 0;
                    possibleEnds.clear();
                } else {
                    speeches.add(new long[] {curStart, at});
                    curStart = -1;
                    prevEnd = nextStart = tempEnd = 0;
                    triggered = false;
                    possibleEnds.clear();
                    continue;
                }
            }
            if (p < o.negThreshold() && triggered) {
                if (tempEnd == 0) tempEnd = at;
                if (at - tempEnd < minSilence) continue;
                if (curStart >= 0 && tempEnd - curStart > minSpeech) speeches.add(new long[] {curStart, tempEnd});
                curStart = -1;
                prevEnd = nextStart = tempEnd = 0;
                triggered = false;
                possibleEnds.clear();
            }
        }
        if (curStart >= 0 && audioLength - curStart > minSpeech) speeches.add(new long[] {curStart, audioLength});

        for (int i = 0; i < speeches.size(); i++) {
            long[] s = speeches.get(i);
            if (i == 0) s[0] = (long) Math.max(0, s[0] - pad);
            if (i != speeches.size() - 1) {
                long[] next = speeches.get(i + 1);
                long gap = next[0] - s[1];
                if (gap < 2 * pad) {
                    s[1] += Math.floorDiv(gap, 2);
                    next[0] = Math.max(0, next[0] - Math.floorDiv(gap, 2));
                } else {
                    s[1] = (long) Math.min(audioLength, s[1] + pad);
                    next[0] = (long) Math.max(0, next[0] - pad);
                }
            } else {
                s[1] = (long) Math.min(audioLength, s[1] + pad);
            }
        }
        List<Segment> out = new ArrayList<>(speeches.size());
        for (long[] s : speeches) out.add(new Segment(s[0], s[1]));
        return out;
    }
}
