package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.synesthesia.util.SynesthesiaException;

class TimeWindowTest {
    static final Audio TEN = ramp(10 * 100, 100); // 10 s at 100 Hz

    static Audio ramp(int n, int rate) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return new Audio(x, rate);
    }

    @Test
    void selectsFromInclusiveToExclusive() {
        Audio a = new TimeWindow(1.5, 2.25).apply(TEN, "x.wav");
        assertEquals(75, a.length());
        assertEquals(150f, a.samples()[0]);
        assertEquals(224f, a.samples()[74]);
        assertEquals(100, a.sampleRate());
        Audio tail = TimeWindow.of(9.0, null).apply(TEN, "x.wav");
        assertArrayEquals(new float[] {900, 901}, java.util.Arrays.copyOf(tail.samples(), 2));
        assertEquals(100, tail.length());
        assertEquals(300, TimeWindow.of(null, 3.0).apply(TEN, "x.wav").length());
        assertSame(TEN, TimeWindow.ALL.apply(TEN, "x.wav"));
    }

    @Test
    void windowReachingPastTheEndIsCut() {
        assertEquals(50, new TimeWindow(9.5, 60).apply(TEN, "x.wav").length());
    }

    @Test
    void badWindowsAreClearErrors() {
        Path p = Path.of("talk.wav");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new TimeWindow(10, 12).apply(TEN, p));
        assertEquals("talk.wav: time window [10 s, 12 s) starts after the end of the audio (10 s long)", e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> new TimeWindow(3, 3));
        assertTrue(e.getMessage().contains("empty time window"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> new TimeWindow(4, 2.5));
        assertTrue(e.getMessage().contains("--to 2.5 is not after --from 4"), e.getMessage());
        assertThrows(SynesthesiaException.class, () -> new TimeWindow(-1, 2));
        assertThrows(SynesthesiaException.class, () -> new TimeWindow(Double.NaN, 2));
        e = assertThrows(SynesthesiaException.class, () -> new TimeWindow(1.001, 1.004).apply(TEN, p));
        assertTrue(e.getMessage().contains("holds no samples"), e.getMessage());
    }
}
