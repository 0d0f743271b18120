package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The FMA probe reports a positive rate for the vector kernel and its scalar twin, on one and on two threads. */
class PeakProbeTest {
    @Test
    void vectorAndScalarRatesArePositive() {
        PeakProbe.Result v = PeakProbe.measure(1, 0.03);
        assertEquals(1, v.threads());
        assertEquals(Simd.available() ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() : 1, v.lanes());
        assertTrue(v.gflops() > 0 && Double.isFinite(v.gflops()), v.toString());
        PeakProbe.Result s = PeakProbe.measure(2, 0.03, true);
        assertEquals(1, s.lanes());
        assertEquals(2, s.threads());
        assertTrue(s.gflops() > 0 && Double.isFinite(s.gflops()), s.toString());
    }

    @Test
    void chunksAgree() {
        // every lane of the vector chunk follows the scalar chain: the sums agree up to lane count and rounding
        if (!Simd.available()) return;
        float scalar = PeakProbeScalar.chunk(0f), vector = PeakProbeVector.chunk(0f);
        assertEquals(scalar * PeakProbeVector.lanes(), vector, 1e-3f * Math.abs(vector));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> PeakProbe.measure(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> PeakProbe.measure(1, 0));
    }
}
