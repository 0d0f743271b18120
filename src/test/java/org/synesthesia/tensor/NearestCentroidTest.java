package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The branch-free midpoint search against the plain scan, ties and duplicate entries included. */
class NearestCentroidTest {
    @Test
    void matchesTheScalarScan() {
        SplittableRandom r = new SplittableRandom(12);
        for (int entries : new int[] {1, 2, 3, 4, 5, 16, 17, 64, 256}) {
            for (int trial = 0; trial < 20; trial++) {
                int t = r.nextInt(3);
                float[] lut = new float[t + entries + 2];
                for (int e = 0; e < lut.length; e++) lut[e] = (float) (r.nextDouble() * 2 - 1);
                // duplicates (also non-adjacent), and a constant table now and then
                for (int e = 0; e < entries / 4; e++) lut[t + r.nextInt(entries)] = lut[t + r.nextInt(entries)];
                if (trial == 0) java.util.Arrays.fill(lut, t, t + entries, 0.25f);
                NearestCentroid nc = new NearestCentroid(lut, t, entries);
                for (int i = 0; i < 2000; i++) {
                    float v;
                    int a = t + r.nextInt(entries), b = t + r.nextInt(entries);
                    switch (i % 4) {
                        case 0 -> v = lut[a];                                  // an entry itself
                        case 1 -> v = (float) (((double) lut[a] + lut[b]) / 2); // a midpoint (rounded to float)
                        case 2 -> v = (float) (r.nextDouble() * 3 - 1.5);       // beyond the table too
                        default -> v = Math.nextUp((float) (((double) lut[a] + lut[b]) / 2));
                    }
                    assertEquals(NearestCentroid.reference(lut, t, entries, v), nc.index(v), "entries " + entries + " v " + v);
                }
            }
        }
    }
}
