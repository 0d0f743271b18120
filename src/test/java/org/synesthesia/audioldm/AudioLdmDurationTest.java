package org.synesthesia.audioldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.synesthesia.util.SynesthesiaException;

/** Lengths are multiples of 2.5 s (64 latent frames); generate_sample's divergence guard clips to [-10, 10] above 100. */
class AudioLdmDurationTest {
    @Test
    void multiplesOfTwoAndAHalfSeconds() {
        AudioLdmDuration d = AudioLdmDuration.of(10);
        assertFalse(d.rounded());
        assertEquals(256, d.latentFrames()); // AudioLDM's latent_t_size for 10 s
        assertEquals(160000, d.samples());
        AudioLdmDuration r = AudioLdmDuration.of(3);
        assertTrue(r.rounded());
        assertEquals(5.0, r.seconds());
        assertEquals(128, r.latentFrames());
        assertTrue(r.note().contains("3 s rounded up to 5 s"), r.note());
        assertEquals(2.5, AudioLdmDuration.of(0.1).seconds());
    }

    @Test
    void zeroNegativeOrNonNumericDurationsFailWithOneLine() {
        for (double bad : new double[] {0, -2.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AudioLdmDuration.of(bad));
            assertTrue(e.getMessage().contains("duration"), e.getMessage());
        }
    }

    @Test
    void divergedSamplesAreClipped() {
        float[] calm = {50f, -99f, 3f};
        AudioLdm.clipIfDiverged(calm);
        assertArrayEquals(new float[] {50f, -99f, 3f}, calm);
        float[] wild = {150f, -12f, 3f};
        AudioLdm.clipIfDiverged(wild);
        assertArrayEquals(new float[] {10f, -10f, 3f}, wild);
    }
}
