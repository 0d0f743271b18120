package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    /** Runs the command line in-process; returns {rc, stdout, stderr}. */
    static String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args);
            return new String[] {String.valueOf(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpListsCommands() {
        String[] r = run("--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("trace") && r[1].contains("bench"), r[1]);
        r = run("trace", "--help");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("--capture"), r[1]);
        String general = run("bench", "--help")[1];
        r = run("bench", "gemm", "--help");
        assertEquals("0", r[0]);
        assertTrue(!r[1].equals(general) && r[1].contains("--m"), "bench gemm --help shows the mode's own options: " + r[1]);
    }

    @Test
    void errorsAreOneLineAndNonZero() {
        String[] r = run("frobnicate");
        assertEquals("1", r[0]);
        assertEquals("synesthesia: unknown command 'frobnicate' (synesthesia --help lists them)\n", r[2]);
        r = run("--threads", "zero", "--help");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].lines().count(), r[2]);
        r = run("trace", "/nonexistent/model", "--inputs", "/nonexistent/in.safetensors", "--out", "/tmp/x.safetensors");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].lines().count(), r[2]);
        assertTrue(r[2].contains("/nonexistent/in.safetensors"), r[2]);
        r = run("trace", "x", "--bogus", "1");
        assertEquals("1", r[0]);
    }
}
