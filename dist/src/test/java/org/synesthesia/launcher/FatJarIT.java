package org.synesthesia.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the built fat JAR as a user would: {@code java -jar synesthesia.jar ...}, no JVM flags. */
class FatJarIT {
    static Path jar() {
        return Path.of(System.getProperty("synesthesia.jar", "../target/synesthesia.jar")).toAbsolutePath();
    }

    static String[] run(Path java, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        return new String[] {String.valueOf(p.exitValue()), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)};
    }

    @Test
    void helpRunsWithNoJvmFlagsAndUsesTheVectorApi() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String[] r = run(java, "--help");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("usage: synesthesia"), r[1]);
        assertEquals("", r[2], "nothing on stderr (the incubator warning is filtered)");
        r = run(java, "--version");
        assertTrue(r[1].contains("Vector API"), r[1] + r[2]);
    }

    /** An older default java (e.g. 17) relaunches on the JDK 25 it finds. */
    @Test
    void olderJavaRelaunchesOnJdk25() throws Exception {
        Path old = null;
        if (Files.isDirectory(Path.of("/usr/lib/jvm")))
            try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
                for (Path h : s.toList()) {
                    int v = Launcher.jdkVersion(h);
                    if (v >= 11 && v < 25 && Files.isExecutable(h.resolve("bin/java"))) old = h.resolve("bin/java");
                }
            }
        org.junit.jupiter.api.Assumptions.assumeTrue(old != null, "no JDK older than 25 installed to try");
        String[] r = run(old, "--version");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("on Java 25"), r[1]);
    }

    /**
     * SIGTERM to the launcher's PID alone (what process managers, IDE stop buttons and CI cancel send) takes the
     * engine JVM down with it: no process left, and the long conversion never publishes its output or leaves a
     * temporary file.
     */
    @Test
    void sigtermToTheLauncherAloneStopsTheEngine(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(System.getProperty("os.name", "").toLowerCase().contains("win"), "POSIX signals");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("x.gguf");
        // minutes of work: full-size random SD 1.5 UNet weights made in memory, then written as GGUF
        Process launcher = new ProcessBuilder(java.toString(), "-jar", jar().toString(), "convert", "random:sd15-unet", "--out", out.toString())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        List<ProcessHandle> engine = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (engine.isEmpty() && launcher.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            engine = launcher.descendants().toList();
        }
        assertTrue(!engine.isEmpty(), "the launcher started no engine JVM: " + Files.readString(dir.resolve("stderr.txt")));
        Thread.sleep(2000); // the engine is at work
        assertTrue(engine.stream().allMatch(ProcessHandle::isAlive), "the engine is still running before the signal");
        new ProcessBuilder("kill", "-TERM", String.valueOf(launcher.pid())).start().waitFor();
        assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "the launcher exits on SIGTERM");
        assertEquals(143, launcher.exitValue(), "128 + SIGTERM");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (engine.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) Thread.sleep(50);
        List<ProcessHandle> left = engine.stream().filter(ProcessHandle::isAlive).toList();
        left.forEach(ProcessHandle::destroyForcibly); // never leave one behind, even when the test fails
        assertTrue(left.isEmpty(), "engine processes outlived the launcher: " + left.stream().map(h -> h.pid() + " " + h.info().command().orElse("?")).toList());
        try (Stream<Path> s = Files.list(dir)) {
            List<String> files = s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("std")).toList();
            assertEquals(List.of(), files, "no output and no temporary file");
        }
        assertEquals("synesthesia: interrupted", Files.readString(dir.resolve("stderr.txt")).strip(), "the engine says why it stopped, in one line");
    }
}
