package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.synesthesia.util.SynesthesiaException;

class FiniteTest {
    @Test
    void findsTheFirstNaNOrInfinity() {
        float[] a = {0, 1, -Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        assertEquals(4, Finite.firstNonFinite(a));
        assertEquals(5, Finite.firstNonFinite(a, 5, 6));
        assertEquals(-1, Finite.firstNonFinite(a, 0, 4));
        // every NaN bit pattern, not only the canonical one
        assertEquals(0, Finite.firstNonFinite(new float[] {Float.intBitsToFloat(0xffc00001)}));
    }

    @Test
    void checkNamesTheStageValueAndElement() {
        Finite.check(new float[] {1, 2, 3}, "fine");
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> Finite.check(new float[] {1, Float.NEGATIVE_INFINITY, Float.NaN}, "unet noise prediction at step 3 of 20"));
        assertEquals("unet noise prediction at step 3 of 20 is not finite (-Inf at element 1 of 3): the model weights hold NaN/Inf?", e.getMessage());
        // a view is scanned in its own element order
        Tensor t = Tensor.of(new float[] {0, 1, 2, Float.NaN, 4, 5}, 2, 3).transpose(0, 1);
        e = assertThrows(SynesthesiaException.class, () -> Finite.check(t, "view"));
        assertEquals("view is not finite (NaN at element 1 of 6): the model weights hold NaN/Inf?", e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Finite.check(new float[] {9, 9, Float.POSITIVE_INFINITY}, 1, 3, "latents", "overflow"));
        assertEquals("latents is not finite (+Inf at element 1 of 2): overflow", e.getMessage());
    }
}
