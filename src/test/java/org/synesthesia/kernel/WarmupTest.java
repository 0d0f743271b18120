package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/** {@link Warmup}: a round's kernel calls are valid on this machine's vectors, and a started warm-up stops. */
class WarmupTest {
    @Test
    void aRoundRunsAndAWarmupStops() {
        if (Simd.available()) assertDoesNotThrow(Warmup::runOnce);
        Warmup w = Warmup.start(50);
        w.stop();
        Warmup.start(50).stop();   // once per JVM: a no-op handle
    }
}
