package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGINT (Ctrl-C) or SIGTERM during a write: the engine deletes its temporary file, publishes nothing, says
 * {@code synesthesia: interrupted} in one line and exits 128 + the signal.
 */
class InterruptTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130"})
    void aSignalDuringAWriteLeavesNoFileAndSaysSo(String signal, int rc) throws Exception {
        assumeFalse(System.getProperty("os.name", "").toLowerCase().contains("win"), "POSIX signals");
        Path out = tmp.resolve("out.gguf");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), SlowWriteMain.class.getName(), out.toString())
                .redirectError(tmp.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("writing", r.readLine(), Files.readString(tmp.resolve("stderr.txt")));
            assertTrue(names().stream().anyMatch(n -> n.startsWith(".out.gguf.") && n.endsWith(".tmp")), "a temporary file in flight: " + names());
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "exits on SIG" + signal);
            assertEquals(rc, p.exitValue());
            assertEquals("synesthesia: interrupted; removed the unfinished " + out, Files.readString(tmp.resolve("stderr.txt")).strip());
            assertEquals(List.of("stderr.txt"), names(), "no output, no temporary file");
        } finally {
            p.destroyForcibly();
        }
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
