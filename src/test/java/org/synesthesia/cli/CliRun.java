package org.synesthesia.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.synesthesia.util.Progress;

/** Runs the command line in-process and captures its output. */
public record CliRun(int rc, String out, String err) {
    public static CliRun of(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream eps = new PrintStream(e, true, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(eps);
        Progress.setStream(eps);
        try {
            int rc = Main.run(args);
            return new CliRun(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            Progress.setStream(err);
            Progress.setQuiet(false);
        }
    }
}
