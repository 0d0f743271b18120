package org.synesthesia.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The engine JVM's ahead-of-time cache (JDK 25, JEP 483/514/515: classes loaded and linked, method profiles), one
 * per command, kept in a per-user folder ({@value #DIR_ENV}, else {@code $XDG_CACHE_HOME/synesthesia/aot} or
 * {@code ~/.cache/synesthesia/aot}; the platform's cache folder on Windows and macOS) under a name keyed by the
 * command word and a hash of the JAR (size, time, central directory with every entry's CRC), the JDK (path and
 * version) and the JVM options.
 *
 * <p>The first run of a command records its configuration ({@code -XX:AOTMode=record}); after it succeeds, a
 * detached JVM assembles the cache ({@code -XX:AOTMode=create}) into a temporary file and renames it into place
 * atomically, so the command itself never waits for it. Later runs start with {@code -XX:AOTCache=FILE}. The
 * JVM's own checks reject a stale or damaged file and run without it; the JVM's AOT messages are switched off so
 * they never reach the command's output. Any failure here means no cache, never a failed run.
 * {@value #ENV}=0 turns it off; a user's own {@code -XX:AOTCache}/{@code -XX:AOTMode} option wins.
 */
final class AotCache {
    static final String ENV = "SYNESTHESIA_AOT";
    static final String DIR_ENV = "SYNESTHESIA_AOT_DIR";
    /** A recording older than this is taken as abandoned (its run was killed): a new one may start. */
    static final long LOCK_STALE_MS = TimeUnit.MINUTES.toMillis(10);
    private static final List<String> QUIET = List.of("-Xlog:aot*=off", "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput");

    final Path cache;
    /** The configuration being recorded, or null when the cache is used. */
    final Path config;
    final Path lock;
    private final Path java;
    private final Path jar;

    private AotCache(Path cache, Path config, Path lock, Path java, Path jar) {
        this.cache = cache;
        this.config = config;
        this.lock = lock;
        this.java = java;
        this.jar = jar;
    }

    /**
     * The cache for the engine run {@code jvm} (java, options, {@code -cp jar}) of {@code args}: one to use, one to
     * record, or null (off, a help or version run, a user's own AOT options, no writable folder, another run
     * recording it now, or any error).
     */
    static AotCache forRun(Path java, Path jar, List<String> jvm, String[] args) {
        try {
            String off = System.getenv(ENV);
            if (off != null && Arrays.asList("0", "off", "false", "no").contains(off.trim().toLowerCase(Locale.ROOT))) return null;
            for (String a : jvm) if (a.startsWith("-XX:AOT") || a.startsWith("-XX:SharedArchiveFile") || a.equals("-Xshare:off")) return null;
            String command = command(args);
            if (command == null) return null;
            Path dir = dir();
            if (dir == null) return null;
            Files.createDirectories(dir);
            String name = command + "-" + key(java, jar, jvm, command);
            Path cache = dir.resolve(name + ".aot");
            if (Files.isRegularFile(cache) && Files.size(cache) > 0) return new AotCache(cache, null, null, java, jar);
            Path lock = dir.resolve(name + ".lock");
            try {
                Files.createFile(lock);
            } catch (FileAlreadyExistsException e) {
                if (System.currentTimeMillis() - Files.getLastModifiedTime(lock).toMillis() < LOCK_STALE_MS) return null;
                Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis()));
                // an abandoned recording (its run was killed): its configuration goes
                try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, name + ".*.aotconf")) {
                    for (Path p : old) Files.deleteIfExists(p);
                }
            }
            Path config = dir.resolve(name + "." + ProcessHandle.current().pid() + ".aotconf");
            return new AotCache(cache, config, lock, java, jar);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The engine JVM's options for this cache. */
    List<String> options() {
        List<String> o = new ArrayList<>();
        if (config == null) {
            o.add("-XX:AOTCache=" + cache);
        } else {
            o.add("-XX:AOTMode=record");
            o.add("-XX:AOTConfiguration=" + config);
        }
        o.addAll(QUIET);
        return o;
    }

    private volatile boolean handedOver;

    /** A recording that will not be assembled (the run failed or was stopped): removes its files. Never throws. */
    void abandon() {
        if (config != null && !handedOver) cleanUp(config, lock);
    }

    /**
     * After a successful recording run: starts the detached assembler (this class's {@link #main}) with the engine's
     * JVM command {@code jvm}; otherwise, or when it cannot start, removes the recording. Never throws.
     */
    void recorded(List<String> jvm) {
        if (config == null) return;
        try {
            if (!Files.isRegularFile(config)) {
                cleanUp(config, lock);
                return;
            }
            List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", jar.toString(), AotCache.class.getName(),
                    config.toString(), cache.toString(), lock.toString()));
            cmd.addAll(jvm);
            new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start()
                    .getOutputStream().close();
            handedOver = true;
        } catch (IOException | RuntimeException e) {
            cleanUp(config, lock);
        }
    }

    /**
     * The detached assembler: {@code CONFIG CACHE LOCK JVM...}: runs {@code JVM -XX:AOTMode=create} on the recorded
     * configuration into a temporary file beside CACHE, renames it to CACHE, removes older caches of the same
     * command, and always removes the configuration, the temporary file and the lock.
     */
    public static void main(String[] a) {
        Path config = Paths.get(a[0]), cache = Paths.get(a[1]), lock = Paths.get(a[2]);
        Path tmp = cache.resolveSibling(cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            List<String> cmd = new ArrayList<>(Arrays.asList(a).subList(3, a.length));
            cmd.add("-XX:AOTMode=create");
            cmd.add("-XX:AOTConfiguration=" + config);
            cmd.add("-XX:AOTCache=" + tmp);
            cmd.addAll(QUIET);
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            if (p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                removeOlder(cache);
            } else {
                p.destroyForcibly();
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            // no cache this time; the next run records again
        } finally {
            cleanUp(config, tmp, lock);
        }
    }

    /** Removes the other caches of {@code cache}'s command (older JARs, JDKs or options). */
    private static void removeOlder(Path cache) throws IOException {
        String n = cache.getFileName().toString();
        String command = n.substring(0, n.lastIndexOf('-') + 1);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(cache.getParent(), command + "*.aot")) {
            for (Path p : s) {
                String pn = p.getFileName().toString();
                // same command word only: "transcribe-" must not match "transcribe-x-..." of another command
                if (!p.equals(cache) && pn.indexOf('-', command.length()) < 0) Files.deleteIfExists(p);
            }
        }
    }

    private static void cleanUp(Path... files) {
        for (Path f : files) {
            try {
                if (f != null) Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /**
     * The command word of {@code args} (after the global options), or null when there is none or the run only
     * prints help or the version (a cache trained on those would miss the command's own classes).
     */
    static String command(String[] args) {
        String command = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) return null;
            if (command != null) continue;
            if (a.equals("--threads")) i++;
            else if (!a.startsWith("-")) command = a;
            else if (!a.equals("--quiet") && !a.equals("-q")) return null;
        }
        if (command == null || command.equals("help") || command.equals("version") || !command.matches("[a-z][a-z0-9-]{0,40}")) return null;
        return command;
    }

    /** The per-user cache folder, or null when none can be named. */
    static Path dir() {
        String own = System.getenv(DIR_ENV);
        if (own != null && !own.isBlank()) return Paths.get(own);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String home = System.getProperty("user.home");
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return local == null || local.isBlank() ? null : Paths.get(local, "synesthesia", "cache", "aot");
        }
        if (os.contains("mac")) return home == null ? null : Paths.get(home, "Library", "Caches", "synesthesia", "aot");
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Paths.get(xdg, "synesthesia", "aot");
        return home == null || home.isBlank() ? null : Paths.get(home, ".cache", "synesthesia", "aot");
    }

    /**
     * 20 hex digits of SHA-256 over the JAR (size, modification time, its last 64 KiB: the central directory, which
     * holds every entry's CRC-32), the JDK (the java path, its {@code release} file), the JVM options and the command.
     */
    static String key(Path java, Path jar, List<String> jvm, String command) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            long size = Files.size(jar);
            d.update((size + "\n" + Files.getLastModifiedTime(jar).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            try (RandomAccessFile f = new RandomAccessFile(jar.toFile(), "r")) {
                byte[] tail = new byte[(int) Math.min(size, 65536)];
                f.seek(size - tail.length);
                f.readFully(tail);
                d.update(tail);
            }
            Path real = java.toRealPath();
            d.update((real + "\n").getBytes(StandardCharsets.UTF_8));
            Path release = real.getParent() == null || real.getParent().getParent() == null ? null : real.getParent().getParent().resolve("release");
            if (release != null && Files.isRegularFile(release)) d.update(Files.readAllBytes(release));
            for (String a : jvm) d.update((a + "\n").getBytes(StandardCharsets.UTF_8));
            d.update(command.getBytes(StandardCharsets.UTF_8));
            StringBuilder b = new StringBuilder();
            for (byte x : d.digest()) b.append(String.format(Locale.ROOT, "%02x", x));
            return b.substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }
}
