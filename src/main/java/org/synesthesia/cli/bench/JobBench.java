package org.synesthesia.cli.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.cli.Args;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.util.Timings;

/**
 * {@code bench transcribe} and {@code bench speak}: the whole command, N times, each in a fresh JVM as a user runs it
 * ({@code java -jar synesthesia.jar COMMAND ...}, through the launcher; {@code --direct}: one JVM with the flags
 * given), with the child's {@link Timings} lines switched on. Per run: wall time from spawn to exit, split into the
 * launcher (spawn to the engine process's start), JVM start-up (process start to {@code main}), each pipeline stage,
 * the rest of the command (argument parsing, class loading, writing) and the exit; the engine's peak resident set
 * (VmHWM) and heap. The first run is the cold one (a fresh page cache aside); the summary compares it with the best
 * of the later runs.
 */
public abstract sealed class JobBench implements BenchMode permits JobBench.Transcribe, JobBench.Speak {
    static final String MAIN = "org.synesthesia.cli.Main";

    /** The command line after {@code synesthesia}, from this mode's options (which it consumes). */
    abstract List<String> command(Args args) throws IOException;

    static final String COMMON_USAGE = """
              --runs N        fresh processes, one after another (default 3); the first is the cold run
              --direct        one JVM with the engine's flags (skips the launcher's relaunch)
              --jvm-args S    extra JVM options for the child, space-separated (e.g. "-Xmx2g -XX:AOTCache=F")
              --aot on|off    the launcher's ahead-of-time cache (SYNESTHESIA_AOT; default: as the launcher does)
              --java PATH     the java to start (default: this one)
              --jar PATH      the fat JAR (default: the one this runs from)
              --show          print the command's stdout of the last run
            """;

    @Override
    public int run(Args args) throws Exception {
        int runs = args.getInt("runs", 3);
        boolean direct = args.flag("direct");
        boolean show = args.flag("show");
        String jvmArgs = args.get("jvm-args", "");
        String aot = args.get("aot", null);
        Path java = args.has("java") ? args.path("java") : Path.of(System.getProperty("java.home"), "bin", "java");
        Path jar = args.has("jar") ? args.path("jar") : ownJar();
        List<String> cmd = command(args);
        args.finish();
        if (runs < 1) throw new SynesthesiaException("bench " + name() + ": --runs must be >= 1");
        if (aot != null && !aot.equals("on") && !aot.equals("off")) throw new SynesthesiaException("bench " + name() + ": --aot must be on or off");
        List<String> line = new ArrayList<>();
        line.add(java.toString());
        for (String a : jvmArgs.trim().split("\\s+")) if (!a.isEmpty()) line.add(a);
        if (direct || jar == null) {
            line.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-cp",
                    jar != null ? jar.toString() : System.getProperty("java.class.path"), MAIN));
        } else {
            line.addAll(List.of("-jar", jar.toString()));
        }
        line.addAll(cmd);
        System.out.println("bench " + name() + ": " + String.join(" ", line) + (aot != null ? "  (SYNESTHESIA_AOT=" + aot + ")" : ""));
        List<Run> done = new ArrayList<>();
        String lastOut = "";
        for (int i = 0; i < runs; i++) {
            ProcessBuilder pb = new ProcessBuilder(line);
            pb.environment().put(Timings.ENV, "1");
            if (aot != null) pb.environment().put("SYNESTHESIA_AOT", aot.equals("on") ? "1" : "0");
            long spawn = System.currentTimeMillis();
            long t0 = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            Thread to = copy(p.getInputStream(), out), te = copy(p.getErrorStream(), err);
            int rc = p.waitFor();
            double wall = (System.nanoTime() - t0) / 1e9;
            to.join();
            te.join();
            String stderr = err.toString(StandardCharsets.UTF_8);
            if (rc != 0) {
                String[] l = stderr.strip().split("\n");
                throw new SynesthesiaException("bench " + name() + ": run " + (i + 1) + " exited with status " + rc + ": "
                        + String.join(" | ", List.of(l).subList(Math.max(0, l.length - 5), l.length)));
            }
            Run r = Run.parse(stderr, spawn, wall, direct || jar == null);
            done.add(r);
            lastOut = out.toString(StandardCharsets.UTF_8);
            System.out.println(r.format(i + 1));
        }
        if (show) System.out.print(lastOut);
        if (runs > 1) {
            double best = done.stream().skip(1).mapToDouble(Run::wall).min().orElseThrow();
            System.out.printf(Locale.ROOT, "first run %.2f s, best later run %.2f s: first/warm %.2fx; peak resident max %s%n", done.get(0).wall(), best,
                    done.get(0).wall() / best, mib(done.stream().mapToLong(Run::resident).max().orElse(-1)));
        }
        return 0;
    }

    /** The JAR holding this class, or null when running from class folders. */
    static Path ownJar() {
        try {
            Path p = Path.of(JobBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static Thread copy(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the child ended
            }
        });
        t.start();
        return t;
    }

    static String mib(long b) {
        return b < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", b / 1048576.0);
    }

    /** One run: wall seconds and its parts (named, in order), the engine's peak resident set and heap (bytes). */
    record Run(double wall, Map<String, Double> parts, Map<String, String> within, long resident, long heap) {
        static Run parse(String stderr, long spawnMillis, double wall, boolean direct) {
            Map<String, Double> parts = new LinkedHashMap<>();
            Map<String, Double> stages = new LinkedHashMap<>();
            Map<String, String> within = new LinkedHashMap<>();
            long[] exit = null;
            for (String l : stderr.split("\n")) {
                if (!l.startsWith(Timings.PREFIX + "\t")) continue;
                String[] f = l.split("\t");
                if (f[1].equals("stage")) stages.merge(f[2], Double.parseDouble(f[3]), Double::sum);
                else if (f[1].equals("part")) within.put(f[2], String.format(Locale.ROOT, "%.2f s (%s)", Double.parseDouble(f[3]), f[4]));
                else if (f[1].equals("exit")) {
                    exit = new long[f.length - 2];
                    for (int i = 2; i < f.length; i++) exit[i - 2] = Long.parseLong(f[i]);
                }
            }
            if (exit == null) return new Run(wall, parts, within, -1, -1);
            long launched = exit.length > 6 && exit[6] > 0 ? exit[6] : spawnMillis, main = exit[2], end = exit[3];
            if (!direct) parts.put("launcher", Math.max(0, launched - spawnMillis) / 1e3);
            parts.put("jvm start", Math.max(0, main - launched) / 1e3);
            double staged = stages.values().stream().mapToDouble(Double::doubleValue).sum();
            parts.putAll(stages);
            parts.put("other", Math.max(0, (end - main) / 1e3 - staged));
            parts.put("exit", Math.max(0, wall - (end - spawnMillis) / 1e3));
            return new Run(wall, parts, within, exit[4], exit[5]);
        }

        String format(int n) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "run %d%s: wall %.2f s =", n, n == 1 ? " (cold)" : "", wall));
            String sep = " ";
            for (var e : parts.entrySet()) {
                b.append(String.format(Locale.ROOT, "%s%s %.2f", sep, e.getKey(), e.getValue()));
                sep = " + ";
            }
            b.append(String.format(Locale.ROOT, "; peak resident %s, heap peak %s", mib(resident), mib(heap)));
            if (!within.isEmpty()) {
                b.append("\n    within the stages (seconds, calls):");
                within.forEach((k, v) -> b.append(' ').append(k).append(' ').append(v).append(';'));
            }
            return b.toString();
        }
    }

    /** {@code bench transcribe FILE --model M}: {@code transcribe FILE --model M --beam-size 0 --language en}. */
    public static final class Transcribe extends JobBench {
        @Override public String name() { return "transcribe"; }

        @Override public String summary() { return "whole transcribe jobs in fresh JVMs: wall, stage times, peak resident"; }

        @Override public String usage() {
            return "usage: synesthesia bench transcribe FILE --model M|random:SIZE [--tokenizer DIR] [--beam-size N] [--language L] [options]\n"
                    + "  runs: synesthesia transcribe FILE --model M --beam-size N (default 0, greedy) --language L (default en)\n"
                    + "        --no-fallback (random weights would retry every window at 5 temperatures)\n"
                    + "  --model random:SIZE  a whisper.cpp ggml file with random weights of that official size (e.g. base),\n"
                    + "                       written once to " + randomDir() + " (the vocabulary from --tokenizer's\n"
                    + "                       tiktoken file, as whisper.cpp's converter writes it; none without --tokenizer)\n"
                    + COMMON_USAGE;
        }

        @Override
        List<String> command(Args args) throws IOException {
            String file = args.positional(1, "audio file");
            String model = args.require("model");
            Path tokenizer = args.path("tokenizer");
            List<String> c = new ArrayList<>(List.of("transcribe", file, "--model", randomModel(model, tokenizer),
                    "--beam-size", args.get("beam-size", "0"), "--language", args.get("language", "en"), "--no-fallback"));
            if (tokenizer != null && !model.startsWith("random:")) c.addAll(List.of("--tokenizer", tokenizer.toString()));
            return c;
        }
    }

    /** {@code bench speak --audio FILE --whisper M --sd M}: {@code speak} with a few steps, writing a PNG to a temporary folder. */
    public static final class Speak extends JobBench {
        @Override public String name() { return "speak"; }

        @Override public String summary() { return "whole speak jobs (whisper + SD) in fresh JVMs: wall, stage times, peak resident"; }

        @Override public String usage() {
            return "usage: synesthesia bench speak --audio FILE --whisper M|random:SIZE --sd MODEL [--steps N] [--size PX] [options]\n"
                    + "  runs: synesthesia speak --audio FILE --whisper M --sd MODEL --steps N (default 2) --width PX --height PX\n"
                    + "        (default 512) --beam-size 0 --no-fallback --language en --seed 1 --out TMP.png\n"
                    + "  --whisper random:SIZE  as bench transcribe --model random:SIZE\n"
                    + COMMON_USAGE;
        }

        @Override
        List<String> command(Args args) throws IOException {
            String audio = args.require("audio");
            Path tokenizer = args.path("tokenizer");
            String given = args.require("whisper");
            String whisper = randomModel(given, tokenizer);
            String sd = args.require("sd");
            String steps = args.get("steps", "2"), size = args.get("size", "512");
            Path out = Files.createTempDirectory("synesthesia-bench-speak").resolve("image.png");
            out.toFile().deleteOnExit();
            out.getParent().toFile().deleteOnExit();
            List<String> c = new ArrayList<>(List.of("speak", "--audio", audio, "--whisper", whisper, "--sd", sd, "--steps", steps,
                    "--width", size, "--height", size, "--beam-size", "0", "--no-fallback", "--language", "en", "--seed", "1", "--out", out.toString()));
            if (tokenizer != null && !given.startsWith("random:")) c.addAll(List.of("--tokenizer", tokenizer.toString()));
            return c;
        }
    }

    static Path randomDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "synesthesia-bench");
    }

    /** {@code model} itself, or for {@code random:SIZE} the path of the random ggml file (written on first use). */
    static String randomModel(String model, Path tokenizer) throws IOException {
        if (!model.startsWith("random:")) return model;
        String size = model.substring("random:".length());
        Path dir = randomDir();
        Files.createDirectories(dir);
        Path f = dir.resolve("ggml-random-" + size + (tokenizer != null ? "" : "-novocab") + ".bin");
        if (!Files.isRegularFile(f)) {
            System.out.println("bench: writing " + f);
            Path tk = null;
            if (tokenizer != null) {
                org.synesthesia.whisper.WhisperConfig c = org.synesthesia.whisper.WhisperConfig.OFFICIAL.get(size);
                tk = tokenizer.resolve(c != null && !c.isMultilingual() ? "gpt2.tiktoken" : "multilingual.tiktoken");
            }
            RandomGgml.write(size, tk, f);
        }
        return f.toString();
    }
}
