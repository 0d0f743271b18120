package org.synesthesia.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** get_speech_timestamps' rules on hand-made probabilities (traced by hand through the reference's state machine). */
class SpeechSegmenterTest {
    static float[] probs(int n, int[]... speech) {
        float[] p = new float[n];
        Arrays.fill(p, 0.1f);
        for (int[] r : speech) Arrays.fill(p, r[0], r[1], 0.9f);
        return p;
    }

    @Test
    void maxSpeechSplitsAtTheLongestSilenceThenAtTheLimit() {
        // speech windows 0..9 and 14..39; max 1 s = 16000 - 512 - 2*480 = 14528 samples of run
        float[] p = probs(50, new int[] {0, 10}, new int[] {14, 40});
        VadOptions o = VadOptions.of(0.5, 250, 100, 30, 1.0);
        // window 29 passes the limit: cut at the 2048-sample silence from 5120, restart at 7168;
        // window 43 passes it again with no silence inside: cut there (22016); then pads of 480
        assertEquals(List.of(new Segment(0, 5600), new Segment(6688, 22496)), SpeechSegmenter.segments(p, 50 * 512, o));
        // without a maximum: the 4-window gap (1536 < 1600 samples) does not end the segment
        assertEquals(List.of(new Segment(0, 40 * 512 + 480)), SpeechSegmenter.segments(p, 50 * 512, VadOptions.DEFAULTS));
    }

    @Test
    void shortSpeechDroppedCloseNeighboursShareTheGapHysteresisHolds() {
        // 7 windows = 3584 samples <= 4000: dropped
        assertEquals(List.of(), SpeechSegmenter.segments(probs(30, new int[] {5, 12}), 30 * 512, VadOptions.DEFAULTS));
        // min silence 100 ms ends a segment; the next starts 4 windows later (gap 2048 >= 2 pads)
        float[] p = probs(60, new int[] {0, 10}, new int[] {14, 30});
        VadOptions o = VadOptions.of(0.5, 100, 50, 30, Double.POSITIVE_INFINITY);
        assertEquals(List.of(new Segment(0, 5600), new Segment(6688, 30 * 512 + 480)), SpeechSegmenter.segments(p, 60 * 512, o));
        // gap 2048 < 2 pads of 1600 (100 ms): each side takes half
        VadOptions wide = VadOptions.of(0.5, 100, 50, 100, Double.POSITIVE_INFINITY);
        assertEquals(List.of(new Segment(0, 6144), new Segment(6144, 30 * 512 + 1600)), SpeechSegmenter.segments(p, 60 * 512, wide));
        // 0.4 is between the thresholds (0.35, 0.5): it neither starts nor ends speech
        float[] h = probs(40, new int[] {0, 10}, new int[] {20, 30});
        Arrays.fill(h, 10, 20, 0.4f);
        assertEquals(List.of(new Segment(0, 30 * 512 + 480)), SpeechSegmenter.segments(h, 40 * 512, VadOptions.DEFAULTS));
        // speech running to the end ends at the audio's end
        assertEquals(List.of(new Segment(5 * 512 - 480, 20 * 512 - 100)), SpeechSegmenter.segments(probs(20, new int[] {5, 20}), 20 * 512 - 100, VadOptions.DEFAULTS));
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> VadOptions.of(1.5, 250, 100, 30, 10));
        assertThrows(IllegalArgumentException.class, () -> VadOptions.of(0.5, -1, 100, 30, 10));
        assertThrows(IllegalArgumentException.class, () -> VadOptions.of(0.5, 250, 100, 30, 0));
        assertEquals(0.35, VadOptions.DEFAULTS.negThreshold(), 1e-12);
        assertEquals(0.01, VadOptions.of(0.1, 250, 100, 30, 10).negThreshold(), 1e-12);
    }
}
