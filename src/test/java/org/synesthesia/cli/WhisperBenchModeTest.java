package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code bench bandwidth} prints 1 and N threads; {@code bench decoder} prints bytes per token, the bandwidth floor and
 * its share, and with {@code --beams} the beam step against greedy; {@code --dtype q8_0} runs Q8_0 matrices.
 */
class WhisperBenchModeTest {
    @Test
    void bandwidthPrintsOneAndNThreads() {
        CliRun r = CliRun.of("--threads", "2", "bench", "bandwidth", "--mib", "4", "--passes", "1");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains(" 1 thread ") && r.out().contains(" 2 threads "), r.out());
        CliRun bad = CliRun.of("bench", "bandwidth", "--mib", "0");
        assertEquals(1, bad.rc());
        assertTrue(bad.err().contains("bench bandwidth: --mib must be in [1, 16384]"), bad.err());
    }

    @Test
    void decoderPrintsTheFloorAndBeams() {
        System.setProperty("synesthesia.bandwidthGBs", "20");
        System.setProperty("synesthesia.peakGflops", "100");
        try {
            CliRun r = CliRun.of("bench", "decoder", "--size", "tiny", "--runs", "1", "--tokens", "2", "--beams", "2", "--dtype", "q8_0");
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.out().matches("(?s)decoder tiny +Q8_0 .* MB/token, floor [0-9.]+ ms at 20.0 GB/s given \\(\\d+% of floor speed\\).*"), r.out());
            assertTrue(r.out().matches("(?s).*2 beams: [0-9.]+ ms/step .*x greedy per token.*"), r.out());
            CliRun bad = CliRun.of("bench", "decoder", "--size", "tiny", "--beams", "0");
            assertEquals(1, bad.rc());
            assertTrue(bad.err().contains("--beams must be in [1, 16]"), bad.err());
        } finally {
            System.clearProperty("synesthesia.bandwidthGBs");
            System.clearProperty("synesthesia.peakGflops");
        }
    }
}
