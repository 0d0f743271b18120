package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code bench audioldm} runs AudioLDM's UNet step, VAE decode and vocoder on small random weights and reports each. */
class AudioLdmBenchModeTest {
    @Test
    void timesTheThreeNetworksWithClipEstimateAndMemory() {
        CliRun r = CliRun.of("bench", "audioldm", "--channels", "32", "--duration", "2.5", "--runs", "0", "--steps", "10");
        assertEquals(0, r.rc(), r.err());
        String out = r.out();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("unet step 2x8x64x16") && l.contains("GFLOPS") && l.contains("peak")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("vae decode -> 1x1x256x64") && l.contains("GFLOPS")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("vocoder 256 frames -> ") && l.contains("GFLOPS")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("clip 2.5 s at 10 steps: ")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("peak heap ") && l.contains("peak resident")), out);
    }

    @Test
    void badChannelsIsOneLine() {
        CliRun r = CliRun.of("bench", "audioldm", "--channels", "48");
        assertEquals(1, r.rc());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
