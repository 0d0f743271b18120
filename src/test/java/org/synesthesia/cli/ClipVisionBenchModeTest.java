package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code bench clip-vision} times a full-size ViT-B/32 image encoder on random weights and gives its GFLOPS. */
class ClipVisionBenchModeTest {
    @Test
    void timesViTB32() {
        CliRun r = CliRun.of("bench", "clip-vision", "--runs", "0");
        assertEquals(0, r.rc(), r.err());
        // ViT-B/32 at 224: 50 tokens, 12 layers of width 768: 8.82 GFLOP per image
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("clip-vision b32 (CLIP vision") && l.contains("1 x 224x224 -> [1, 512]")
                && l.contains("8.8 GFLOP") && l.matches(".*GFLOPS \\(\\d+% of \\d+ measured peak\\)")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("peak heap ")), r.out());
    }

    @Test
    void unknownShapeIsOneLine() {
        CliRun r = CliRun.of("bench", "clip-vision", "--shape", "h14");
        assertEquals(1, r.rc());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
