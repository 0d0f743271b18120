package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code bench peak} prints the FMA peak on 1 and N threads; other modes' lines give their share of the measured
 * peak, or of the one given with {@code -Dsynesthesia.peakGflops}.
 */
class PeakBenchModeTest {
    @Test
    void printsOneAndNThreads() {
        CliRun r = CliRun.of("--threads", "2", "bench", "peak", "--seconds", "0.03");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("peak vector") || l.startsWith("peak scalar")), r.out());
        assertTrue(r.out().contains(" 1 thread ") && r.out().contains(" 2 threads "), r.out());
        assertTrue(r.out().contains("FMA chains per thread"), r.out());
    }

    @Test
    void sharesUseTheMeasuredOrGivenPeak() {
        CliRun m = CliRun.of("bench", "gemm", "--m", "4", "--n", "4", "--k", "32", "--seconds", "0.01", "--type", "none");
        assertEquals(0, m.rc(), m.err());
        assertTrue(m.out().lines().filter(l -> l.startsWith("gemm ")).allMatch(l -> l.matches(".*GFLOPS \\(\\d+% of \\d+ measured peak\\)")), m.out());
        System.setProperty("synesthesia.peakGflops", "123");
        try {
            CliRun g = CliRun.of("bench", "gemm", "--m", "4", "--n", "4", "--k", "32", "--seconds", "0.01", "--type", "none");
            assertEquals(0, g.rc(), g.err());
            assertTrue(g.out().contains("of 123 given peak)"), g.out());
            System.setProperty("synesthesia.peakGflops", "fast");
            CliRun bad = CliRun.of("bench", "gemm", "--m", "4", "--n", "4", "--k", "32", "--seconds", "0.01", "--type", "none");
            assertEquals(1, bad.rc());
            assertTrue(bad.err().contains("-Dsynesthesia.peakGflops must be a number of GFLOPS, not 'fast'"), bad.err());
        } finally {
            System.clearProperty("synesthesia.peakGflops");
        }
    }

    @Test
    void rejectsBadSeconds() {
        CliRun r = CliRun.of("bench", "peak", "--seconds", "0");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("bench peak: --seconds must be in (0, 60]"), r.err());
    }
}
