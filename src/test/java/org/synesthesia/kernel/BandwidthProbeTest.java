package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.synesthesia.testing.VectorOnly;

/** {@link BandwidthProbeVector#sum} against the scalar {@link BandwidthProbe#sum} on odd ranges; the probe runs. */
@ExtendWith(VectorOnly.class)
class BandwidthProbeTest {
    @Test
    void vectorSumMatchesTheScalarOnOddRanges() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] a = new float[3001];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        for (int t = 0; t < 200; t++) {
            int from = rnd.nextInt(a.length), to = from + rnd.nextInt(a.length - from + 1);
            double mag = 0;
            for (int i = from; i < to; i++) mag += Math.abs(a[i]);
            assertEquals(BandwidthProbe.sum(a, from, to), BandwidthProbeVector.sum(a, from, to), 1e-5 * (1 + mag), from + ".." + to);
        }
        assertTrue(BandwidthProbe.measure(8, 1) > 0);
    }
}
