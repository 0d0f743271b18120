package org.synesthesia.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir Path tmp;

    @Test
    void readsTheFeatureVersionOfAJdkHome() throws Exception {
        Files.writeString(tmp.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.3\"\n");
        assertEquals(25, Launcher.jdkVersion(tmp));
        Files.writeString(tmp.resolve("release"), "JAVA_VERSION=\"1.8.0_412\"\n");
        assertEquals(8, Launcher.jdkVersion(tmp));
        Files.writeString(tmp.resolve("release"), "JAVA_VERSION=\"17\"\n");
        assertEquals(17, Launcher.jdkVersion(tmp));
        assertEquals(0, Launcher.jdkVersion(tmp.resolve("missing")));
    }

    @Test
    void dropsOnlyTheIncubatorWarning() {
        assertEquals("hello\nworld\n", forward("WARNING: Using incubator modules: jdk.incubator.vector\nhello\nworld\n"));
        assertEquals("synesthesia: no such file\n", forward("synesthesia: no such file\n"));
        assertEquals("WARNING: Using incubator modules: something.else\n", forward("WARNING: Using incubator modules: something.else\n"));
        assertEquals("step 1/3\rstep 2/3", forward("step 1/3\rstep 2/3"));
        assertEquals("", forward(""));
    }

    private static String forward(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Launcher.forwardStderr(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The engine gets SIGTERM and its last line still reaches the user (Process.destroy() would close the pipe). */
    @Test
    void stoppingTheEngineKeepsItsLastLine() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap 'echo synesthesia: interrupted >&2; exit 143' TERM; echo ready; while :; do sleep 0.05; done").start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> Launcher.forwardStderr(p.getErrorStream(), err));
        t.start();
        assertEquals('r', p.getInputStream().read());
        Launcher.stopEngine(p, 5000);
        t.join(2000);
        assertEquals(143, p.exitValue());
        assertEquals("synesthesia: interrupted\n", err.toString(StandardCharsets.UTF_8));
    }

    /** An engine that ignores SIGTERM is killed after the grace period. */
    @Test
    void anEngineIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Process p = new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done").start();
        assertEquals('r', p.getInputStream().read());
        long t0 = System.nanoTime();
        Launcher.stopEngine(p, 300);
        assertEquals(true, p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS), "killed");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(true, ms >= 300 && ms < 2000, ms + " ms");
        assertEquals(137, p.exitValue(), "SIGKILL");
    }

    /** The cache is per command word; help and version runs, and unknown leading options, get none. */
    @Test
    void aotCacheCommandWord() {
        assertEquals("transcribe", AotCache.command(new String[] {"transcribe", "a.wav", "--model", "m"}));
        assertEquals("speak", AotCache.command(new String[] {"--threads", "4", "--quiet", "speak", "--audio", "x"}));
        assertEquals(null, AotCache.command(new String[] {"transcribe", "--help"}));
        assertEquals(null, AotCache.command(new String[] {"--version"}));
        assertEquals(null, AotCache.command(new String[] {"help"}));
        assertEquals(null, AotCache.command(new String[] {}));
        assertEquals(null, AotCache.command(new String[] {"../evil", "x"}));
    }

    /** The key changes with the JAR's bytes, the JVM options and the command, and only with them. */
    @Test
    void aotCacheKey() throws Exception {
        Path jar = tmp.resolve("a.jar");
        Files.write(jar, new byte[] {1, 2, 3});
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        java.util.List<String> jvm = java.util.List.of("java", "-Xmx2g");
        String k = AotCache.key(javaBin, jar, jvm, "transcribe");
        assertEquals(20, k.length());
        assertEquals(k, AotCache.key(javaBin, jar, jvm, "transcribe"));
        org.junit.jupiter.api.Assertions.assertNotEquals(k, AotCache.key(javaBin, jar, jvm, "speak"));
        org.junit.jupiter.api.Assertions.assertNotEquals(k, AotCache.key(javaBin, jar, java.util.List.of("java", "-Xmx4g"), "transcribe"));
        java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(jar);
        Files.write(jar, new byte[] {1, 2, 4});
        Files.setLastModifiedTime(jar, t);
        org.junit.jupiter.api.Assertions.assertNotEquals(k, AotCache.key(javaBin, jar, jvm, "transcribe"), "same size and time, other bytes");
    }

    /** The launcher's heap policy steps aside for a user's own heap or collector option. */
    @Test
    void heapDefaultsOnlyWithoutTheUsersOwn() {
        for (String a : new String[] {"-Xmx2g", "-Xms1g", "-XX:+UseSerialGC", "-XX:GCTimeRatio=9", "-XX:MaxHeapFreeRatio=50", "-XX:MaxRAMPercentage=50", "-XX:MaxHeapSize=1g"})
            assertEquals(true, Launcher.sizesTheHeap(a), a);
        for (String a : new String[] {"-Dfoo=1", "-Xss8m", "-XX:+UnlockDiagnosticVMOptions", "-ea"})
            assertEquals(false, Launcher.sizesTheHeap(a), a);
    }
}
