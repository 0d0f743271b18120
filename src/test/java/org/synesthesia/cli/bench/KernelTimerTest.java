package org.synesthesia.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Bench timing never counts the untimed warm-up run: a cold first call is neither reported nor mixed into the best. */
class KernelTimerTest {
    /** Runs in {@code first} ms the first time, {@code later} ms after. */
    private static Runnable sleeper(AtomicInteger calls, long first, long later) {
        return () -> {
            try {
                Thread.sleep(calls.getAndIncrement() == 0 ? first : later);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void bestExcludesTheUntimedFirstRun() {
        AtomicInteger calls = new AtomicInteger();
        // the first (untimed) call is fast, every timed one takes 30 ms: the best is a timed one
        double best = KernelTimer.best(0, sleeper(calls, 0, 30));
        assertTrue(best >= 0.029, "best " + best + " s counted the untimed run");
        assertTrue(calls.get() >= 2);
    }

    @Test
    void afterWarmUpTimesTheSecondRun() {
        AtomicInteger calls = new AtomicInteger();
        double t = KernelTimer.afterWarmUp(sleeper(calls, 300, 0));
        assertEquals(2, calls.get());
        assertTrue(t < 0.2, "timed the cold run: " + t + " s");
    }
}
