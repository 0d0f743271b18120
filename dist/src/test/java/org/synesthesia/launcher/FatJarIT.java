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
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SYNESTHESIA_AOT", "0"); // no cache in the user's folder (aotCache... tests it in a temp one)
        Process p = pb.start();
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
        ProcessBuilder lpb = new ProcessBuilder(java.toString(), "-jar", jar().toString(), "convert", "random:sd15-unet", "--out", out.toString())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        lpb.environment().put("SYNESTHESIA_AOT", "0");
        Process launcher = lpb.start();
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

    /** Runs the fat JAR with extra environment variables; {rc, stdout, stderr}. */
    static String[] runWith(java.util.Map<String, String> env, String... args) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(javaBin.toString(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        byte[] err = readAll(p.getErrorStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new String[] {String.valueOf(p.exitValue()), new String(out.get(), StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8)};
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A 16 kHz mono 16-bit WAV of {@code samples} samples of a 440 Hz tone. */
    static void writeWav(Path f, int samples) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * samples).put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16).putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * samples);
        for (int i = 0; i < samples; i++) b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16000.0)));
        Files.write(f, b.array());
    }

    /** The files in {@code dir} by name, sorted. */
    static List<String> names(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The launcher's ahead-of-time cache: the first run of a command records, a detached JVM assembles one
     * {@code COMMAND-KEY.aot} (nothing else left in the folder), later runs use it unchanged, and a damaged cache
     * file costs nothing: the run succeeds with the same output and no JVM message. SYNESTHESIA_AOT=0 writes none.
     */
    @Test
    void aotCacheIsCreatedOnceReusedAndADamagedOneIgnored(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 25, "AOT caches need JDK 25");
        Path wav = dir.resolve("tone.wav");
        writeWav(wav, 16000);
        Path cache = dir.resolve("aot");
        java.util.Map<String, String> env = java.util.Map.of(AotCache.DIR_ENV, cache.toString());
        String[] first = runWith(env, "mel", wav.toString(), "--out", dir.resolve("m1.safetensors").toString());
        assertEquals("0", first[0], first[2]);
        assertTrue(Files.isRegularFile(dir.resolve("m1.safetensors")));
        assertTrue(!first[1].contains("AOT") && !first[2].contains("aot"), "no JVM message: " + first[1] + first[2]);
        // the assembler runs detached: wait for the one cache file and nothing else
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(names(cache).size() == 1 && names(cache).get(0).endsWith(".aot")) && System.nanoTime() < until) Thread.sleep(200);
        List<String> made = names(cache);
        assertEquals(1, made.size(), "one cache file, no lock, configuration or temporary file left: " + made);
        assertTrue(made.get(0).matches("mel-[0-9a-f]{20}\\.aot"), made.get(0));
        Path aot = cache.resolve(made.get(0));
        long size = Files.size(aot);
        assertTrue(size > 1_000_000, "a real cache: " + size + " bytes");
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(aot);

        String[] second = runWith(env, "mel", wav.toString(), "--out", dir.resolve("m2.safetensors").toString());
        assertEquals("0", second[0], second[2]);
        Thread.sleep(1000); // a second recording would show as a lock or configuration file by now
        assertEquals(made, names(cache), "reused, not recorded again");
        assertEquals(time, Files.getLastModifiedTime(aot));
        assertEquals(second[2].replace("m2.", "m1."), first[2]);

        byte[] junk = new byte[(int) size];
        new java.util.Random(1).nextBytes(junk);
        Files.write(aot, junk);
        String[] damaged = runWith(env, "mel", wav.toString(), "--out", dir.resolve("m3.safetensors").toString());
        assertEquals("0", damaged[0], damaged[2]);
        assertEquals(first[1], damaged[1], "the same stdout, no JVM message on it");
        assertEquals(damaged[2].replace("m3.", "m1."), first[2], "the same stderr, no JVM message on it");
        assertTrue(Files.isRegularFile(dir.resolve("m3.safetensors")));

        Path none = dir.resolve("none");
        String[] off = runWith(java.util.Map.of(AotCache.DIR_ENV, none.toString(), AotCache.ENV, "0"), "mel", wav.toString(), "--out",
                dir.resolve("m4.safetensors").toString());
        assertEquals("0", off[0], off[2]);
        Thread.sleep(500);
        assertEquals(List.of(), names(none), "SYNESTHESIA_AOT=0: no cache");
    }
}
