package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code bench sd} runs the full-size text encoder and VAE decoder on random weights and reports peak memory: each part's peak resident set and the heap's peak. */
class SdBenchModeTest {
    @Test
    void timesTextEncoderAndVaeWithMemory() {
        CliRun r = CliRun.of("bench", "sd", "--size", "4", "--parts", "text,vae");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("text encoder 2x77 tokens"), r.out());
        assertTrue(r.out().contains("vae decode 32x32"), r.out());
        // each part's own peak resident set, then the heap's peak
        assertTrue(r.out().lines().filter(l -> l.startsWith("text encoder") || l.startsWith("vae decode")).allMatch(l -> l.contains("peak resident ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("peak heap ")), r.out());
    }

    @Test
    void unknownPartIsOneLine() {
        CliRun r = CliRun.of("bench", "sd", "--parts", "text,clap");
        assertEquals(1, r.rc());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
