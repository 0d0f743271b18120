package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bench gemm} is registered and prints one line per kernel; bad options are one-line errors. */
class GemmBenchModeTest {
    private static String run(int expectedStatus, String... argv) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            System.setErr(p);
            assertEquals(expectedStatus, Main.run(argv));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void timesEachKernelOnOneShape() {
        String out = run(0, "bench", "gemm", "--m", "5", "--n", "7", "--k", "64", "--seconds", "0.01", "--type", "f16,q4,pal6");
        long lines = out.lines().filter(l -> l.startsWith("gemm 5x7x64") && l.contains("GFLOPS")).count();
        assertEquals(5, lines, out); // sgemm, scalar, three linear types
        assertTrue(out.contains("linear  pal6"), out);
    }

    @Test
    void rejectsUnknownTypesAndOptions() {
        assertTrue(run(1, "bench", "gemm", "--type", "q3").contains("unknown --type 'q3'"));
        assertTrue(run(1, "bench", "gemm", "--m", "4", "--n", "4", "--k", "4", "--bogus", "1").contains("unknown option --bogus"));
    }
}
