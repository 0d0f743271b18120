package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;

/** Random in-memory Whisper models: openai's names and shapes (checked against a real export), and they run. */
class RandomWhisperTest {
    @Test
    void shapesMatchAnOpenaiExport() {
        try (WeightSource real = SafeTensors.open(SharedData.golden(WhisperParityTest.SET, "weights.safetensors"))) {
            WhisperConfig c = WhisperConfig.fromMetadata(real).orElseThrow();
            Map<String, long[]> shapes = RandomWhisper.openaiShapes(c);
            assertEquals(new java.util.TreeSet<>(real.names()), new java.util.TreeSet<>(shapes.keySet()));
            for (String n : real.names()) assertArrayEquals(real.get(n).shape(), shapes.get(n), n);
        }
    }

    @Test
    void randomModelRunsInF16AndF32() {
        WhisperConfig c = new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2);
        Tensor mel = RandomWhisper.pseudoMel(80);
        float[] a, b;
        try (Whisper w = RandomWhisper.create(c, DType.F32, 5)) {
            assertEquals(c, w.config());
            a = w.decoder().lastLogits(new int[] {50258, 50259, 50359, 50363}, w.newState(w.encode(mel)));
        }
        try (Whisper w = RandomWhisper.create(c, DType.F16, 5)) {
            b = w.decoder().lastLogits(new int[] {50258, 50259, 50359, 50363}, w.newState(w.encode(mel)));
        }
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]));
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxAbs = Math.max(maxAbs, Math.abs(a[i]));
        }
        assertTrue(maxAbs > 0);
        assertTrue(maxDiff < 0.02 * maxAbs + 1e-3, "F16 rounding of the same weights: " + maxDiff + " vs " + maxAbs);
    }
}
