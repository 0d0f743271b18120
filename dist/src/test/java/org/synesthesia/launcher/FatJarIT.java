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
import org.junit.jupiter.api.Test;

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
}
