package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.Tensor;

class TracerTest {
    @Test
    void globsMatchDottedNames() {
        Tracer t = Tracer.of("encoder.blocks.*", "decoder.**", "enc?der");
        assertTrue(t.wants("encoder.blocks.0"));
        assertTrue(t.wants("encoder.blocks.11"));
        assertFalse(t.wants("encoder.blocks.0.attn"));
        assertTrue(t.wants("decoder.blocks.0.attn"));
        assertTrue(t.wants("encoder"));
        assertFalse(t.wants("encoder.conv1"));
        assertFalse(Tracer.NONE.wants("encoder"));
    }

    @Test
    void capturesCopiesInOrder() {
        Tracer t = Tracer.of("a", "b");
        float[] d = {1, 2};
        t.capture("b", Tensor.of(d, 2));
        t.capture("a", Tensor.of(new float[] {3}, 1));
        t.capture("c", Tensor.of(new float[] {4}, 1));
        d[0] = 9;
        assertEquals(List.of("b", "a"), List.copyOf(t.captured().keySet()));
        assertEquals(1f, t.captured().get("b").get(0));
    }
}
