package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SnrTest {
    @Test
    void knownValues() {
        float[] ref = {1, 2, 3}, approx = {1, 2, 2};
        assertEquals(10 * Math.log10(14), Snr.db(ref, approx), 1e-12);
        assertEquals(10 * Math.log10(9 / (1 / 3.0)), Snr.psnr(ref, approx, 3), 1e-12);
        assertEquals(20.0, Snr.db(new float[] {10, 0}, new float[] {9, 0}), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Snr.db(ref, ref.clone()));
        assertEquals(Double.POSITIVE_INFINITY, Snr.psnr(ref, ref.clone(), 1));
        assertEquals(Double.NEGATIVE_INFINITY, Snr.db(new float[] {0, 0}, new float[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Snr.db(ref, new float[2]));
    }
}
