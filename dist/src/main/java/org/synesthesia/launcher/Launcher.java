package org.synesthesia.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Entry point of the fat JAR, compiled for Java 17 so that it loads on older runtimes.
 *
 * <p>The engine needs JDK 25 with the {@code jdk.incubator.vector} module and native access. When the
 * running JVM already has both, {@code org.synesthesia.cli.Main} runs in this process. Otherwise the
 * launcher finds a JDK 25 (this one, {@code SYNESTHESIA_JAVA}, {@code JAVA_HOME}, or the usual install
 * folders) and runs the same JAR there with the flags added, so users never type them. With no JDK 25
 * anywhere it prints one line saying what to install and exits with status 1.
 */
public final class Launcher {
    private static final String MAIN = "org.synesthesia.cli.Main";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String RELAUNCHED = "synesthesia.relaunched";
    private static final int REQUIRED = 25;

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        int feature = Runtime.version().feature();
        boolean hasVector = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
        if (feature >= REQUIRED && (hasVector || System.getProperty(RELAUNCHED) != null)) {
            runInProcess(args);
            return;
        }
        Optional<Path> java = feature >= REQUIRED ? Optional.of(currentJava()) : findJdk();
        if (java.isEmpty()) {
            System.err.println("synesthesia: needs Java " + REQUIRED + " or newer, but this is Java " + feature
                    + " (" + System.getProperty("java.home") + ") and no JDK " + REQUIRED
                    + " was found; install one (e.g. Temurin 25) and set JAVA_HOME or SYNESTHESIA_JAVA to it");
            System.exit(1);
        }
        System.exit(relaunch(java.get(), args));
    }

    private static void runInProcess(String[] args) throws Exception {
        Method main = Class.forName(MAIN).getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }

    private static Path currentJava() {
        return Paths.get(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
    }

    /** Runs the JAR on {@code java} with the Vector API module added; returns the child's exit status. */
    private static int relaunch(Path java, String[] args) throws IOException, InterruptedException, URISyntaxException {
        Path jar = Paths.get(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        List<String> own = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("--add-modules") && !a.startsWith("-agentlib:jdwp")) own.add(a);
        }
        cmd.addAll(own);
        if (own.stream().noneMatch(Launcher::sizesTheHeap)) cmd.addAll(HEAP_DEFAULTS);
        cmd.add("--add-modules");
        cmd.add(VECTOR_MODULE);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-D" + RELAUNCHED + "=1");
        cmd.add("-cp");
        cmd.add(jar.toString());
        // the ahead-of-time cache: used when there is one for this JAR, JDK, flags and command; else recorded
        AotCache aot = AotCache.forRun(java, jar, cmd, args);
        List<String> engine = new ArrayList<>(cmd);
        if (aot != null) engine.addAll(aot.options());
        engine.add(MAIN);
        for (String a : args) engine.add(a);
        ProcessBuilder pb = new ProcessBuilder(engine)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("SYNESTHESIA_LAUNCHED_AT", Long.toString(System.currentTimeMillis()));
        Process p = pb.start();
        Thread err = new Thread(() -> forwardStderr(p.getErrorStream(), System.err), "stderr");
        err.setDaemon(true);
        err.start();
        // SIGTERM/SIGINT to this process alone (process managers, IDE stop buttons, CI cancel) must not orphan the engine
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopEngine(p, STOP_GRACE_MS);
            if (aot != null) aot.abandon();
            try {
                err.join(1000);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "stop-engine"));
        int rc = p.waitFor();
        err.join(2000);
        if (aot != null && rc == 0) aot.recorded(cmd);
        else if (aot != null) aot.abandon();
        return rc;
    }

    /**
     * The engine's heap policy unless the user sets one: G1 may spend up to 1/(1+4) of the time collecting before it
     * grows the heap (the default 1/(1+12) lets the short-lived garbage of the first seconds, the Vector API's boxed
     * vectors before the JIT compiles the kernels, grow it to gigabytes), and keeps at most 20% of it free.
     * Whisper base transcribing jfk.wav: peak resident 1490 MiB with the JVM's defaults, 677 MiB with these.
     */
    static final List<String> HEAP_DEFAULTS = List.of("-XX:GCTimeRatio=4", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20");

    /** Whether the user's JVM option {@code a} chooses the heap's size or the collector (then no {@link #HEAP_DEFAULTS}). */
    static boolean sizesTheHeap(String a) {
        return a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-Xmn") || a.startsWith("-XX:MaxRAM") || a.startsWith("-XX:InitialRAM")
                || a.contains("GC") || a.contains("HeapFreeRatio") || a.contains("HeapSize");
    }

    /** How long the engine gets to clean up (delete its temporary files) after SIGTERM before it is killed. */
    static final long STOP_GRACE_MS = 5000;

    /**
     * Stops {@code engine} if it still runs: SIGTERM (its own shutdown hook deletes unfinished outputs), then, after
     * {@code graceMs}, SIGKILL to it and anything it started.
     */
    static void stopEngine(Process engine, long graceMs) {
        if (!engine.isAlive()) return;
        List<ProcessHandle> descendants = engine.descendants().collect(java.util.stream.Collectors.toList());
        // through the handle: Process.destroy() would also close the pipes, losing the engine's last words
        engine.toHandle().destroy();
        try {
            if (engine.waitFor(graceMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                descendants.forEach(ProcessHandle::destroy);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        engine.destroyForcibly();
    }

    /** Copies the child's stderr, dropping the JVM's one-line incubator-module warning. */
    static void forwardStderr(InputStream in, OutputStream out) {
        byte[] warning = ("WARNING: Using incubator modules: " + VECTOR_MODULE).getBytes(StandardCharsets.US_ASCII);
        try {
            byte[] first = new byte[warning.length + 2];
            int n = 0;
            int c;
            boolean matching = true;
            while (matching && n < first.length && (c = in.read()) >= 0) {
                first[n++] = (byte) c;
                if (c == '\n') break;
                if (n > warning.length || first[n - 1] != warning[n - 1]) matching = false;
            }
            boolean isWarning = n >= warning.length && first[n - 1] == '\n'
                    && java.util.Arrays.equals(first, 0, warning.length, warning, 0, warning.length);
            if (!isWarning) { out.write(first, 0, n); out.flush(); }
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) >= 0) { out.write(buf, 0, r); out.flush(); }
        } catch (IOException ignored) {
            // the child ended; nothing more to copy
        }
    }

    /** Looks for a JDK of at least {@link #REQUIRED}: SYNESTHESIA_JAVA, JAVA_HOME, then usual install roots. */
    static Optional<Path> findJdk() {
        List<Path> homes = new ArrayList<>();
        for (String env : new String[] {"SYNESTHESIA_JAVA", "JAVA_HOME"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) homes.add(Paths.get(v));
        }
        String userHome = System.getProperty("user.home");
        for (Path root : new Path[] {Paths.get("/usr/lib/jvm"), Paths.get("/opt/java"), Paths.get("/usr/java"),
                Paths.get("/Library/Java/JavaVirtualMachines"), Paths.get(userHome, ".sdkman", "candidates", "java"),
                Paths.get(userHome, ".jdks")}) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.list(root)) {
                s.sorted().forEach(p -> {
                    homes.add(p);
                    homes.add(p.resolve("Contents").resolve("Home"));
                });
            } catch (IOException ignored) {
                // unreadable folder: skip it
            }
        }
        Path best = null;
        int bestVersion = 0;
        for (Path home : homes) {
            int v = jdkVersion(home);
            Path bin = home.resolve("bin").resolve(isWindows() ? "java.exe" : "java");
            if (v >= REQUIRED && v > bestVersion && Files.isExecutable(bin)) { best = bin; bestVersion = v; }
        }
        return Optional.ofNullable(best);
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.3"}), or 0. */
    static int jdkVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) return 0;
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
                    if (v.startsWith("1.")) return Integer.parseInt(v.substring(2, 3));
                    int end = 0;
                    while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
                    return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not a JDK we can read
        }
        return 0;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase().contains("win");
    }
}
