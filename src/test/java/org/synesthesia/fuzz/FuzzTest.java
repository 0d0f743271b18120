package org.synesthesia.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;

/**
 * The fuzz suite: for every format in {@link Formats#NAMES}, mutants {@code 0..N-1} of its seeds are read in a forked
 * JVM ({@link FuzzWorker}, 1 GB heap) with a per-case time limit and allocation cap. Any stack trace, hang, allocation
 * past the cap, refusal that is not one clean line, or wrong acceptance fails the test, printed with the format, run
 * seed and case number that reproduce it, unless {@link KnownIssues} lists it. A table of outcomes per format ends
 * the run.
 *
 * <p>Properties: {@code synesthesia.fuzz.cases} (per format; default 100, or 3000 with {@code synesthesia.fuzz.long=true}),
 * {@code synesthesia.fuzz.seed} (default 13), {@code synesthesia.fuzz.formats} (comma list), {@code synesthesia.fuzz.case}
 * (one case, to reproduce), {@code synesthesia.fuzz.timeoutMs} (2000), {@code synesthesia.fuzz.capMb} (256).
 */
class FuzzTest {
    static final String[] CLASSES = {"ACCEPTED", "REFUSED", "TRACE", "HANG", "ALLOC", "MESSAGE", "WRONG", "CRASH"};

    record Failure(String format, int kase, String cls, String signature, String mutation, KnownIssues.Entry known) {}

    @Test
    void everyReaderAcceptsOrRefusesInOneLine(@TempDir Path tmp) throws Exception {
        SharedData.require("golden"); // seeds come from the shared folder
        boolean longRun = Boolean.getBoolean("synesthesia.fuzz.long");
        int cases = Integer.getInteger("synesthesia.fuzz.cases", longRun ? 3000 : 100);
        long seed = Long.getLong("synesthesia.fuzz.seed", 13);
        long timeoutMs = Long.getLong("synesthesia.fuzz.timeoutMs", 2000);
        long cap = Long.getLong("synesthesia.fuzz.capMb", 256) << 20;
        String only = System.getProperty("synesthesia.fuzz.formats", "");
        Integer one = Integer.getInteger("synesthesia.fuzz.case");
        List<String> formats = only.isBlank() ? Formats.NAMES : List.of(only.split(","));

        Map<String, Map<String, Integer>> table = new LinkedHashMap<>();
        List<Failure> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        // tasks left: format -> first case not yet run; one JVM runs them all, a new one continues after a hang or crash
        Map<String, Integer> next = new LinkedHashMap<>();
        int from = one != null ? one : 0, to = one != null ? one + 1 : cases;
        for (String format : formats) {
            table.put(format, new TreeMap<>());
            next.put(format, from);
        }
        while (!next.isEmpty()) runWorker(seed, to, next, tmp, timeoutMs, cap, table, failures);
        double seconds = (System.nanoTime() - t0) / 1e9;

        StringBuilder b = new StringBuilder(String.format("%nfuzz: seed %d, %d cases per format, %.1f s%n", seed, one != null ? 1 : cases, seconds));
        b.append(String.format("%-18s %7s %8s %7s %6s %8s %7s%n", "format", "mutants", "accepted", "refused", "known", "failures", "seconds"));
        int[] total = new int[5];
        for (var e : table.entrySet()) {
            Map<String, Integer> c = e.getValue();
            int n = c.entrySet().stream().filter(x -> !x.getKey().equals("ms") && !x.getKey().equals("skipped")).mapToInt(Map.Entry::getValue).sum();
            int acc = c.getOrDefault("ACCEPTED", 0), ref = c.getOrDefault("REFUSED", 0), known = c.getOrDefault("known", 0);
            int bad = n - acc - ref - known;
            if (c.containsKey("skipped")) { b.append(String.format("%-18s skipped (shared data missing)%n", e.getKey())); continue; }
            b.append(String.format("%-18s %7d %8d %7d %6d %8d %7.1f%n", e.getKey(), n, acc, ref, known, bad, c.getOrDefault("ms", 0) / 1000.0));
            total[0] += n; total[1] += acc; total[2] += ref; total[3] += known; total[4] += bad;
        }
        b.append(String.format("%-18s %7d %8d %7d %6d %8d %7.1f%n", "total", total[0], total[1], total[2], total[3], total[4], seconds));
        Map<String, Integer> knownHits = new TreeMap<>();
        for (Failure f : failures) if (f.known != null) knownHits.merge(f.known.item() + " | " + f.format + " " + f.cls + " " + f.known.signatureStart() + (f.known.frame().isEmpty() ? "" : " @ " + f.known.frame()), 1, Integer::sum);
        if (!knownHits.isEmpty()) {
            b.append("tolerated known failures (KnownIssues):\n");
            knownHits.forEach((k, v) -> b.append("  ").append(v).append(" x ").append(k).append('\n'));
        }
        System.out.print(b);

        List<Failure> unknown = failures.stream().filter(f -> f.known == null).toList();
        if (!unknown.isEmpty()) {
            StringBuilder m = new StringBuilder(unknown.size() + " fuzz failures (reproduce one with -Dsynesthesia.fuzz.seed=" + seed
                    + " -Dsynesthesia.fuzz.formats=FORMAT -Dsynesthesia.fuzz.case=N):\n");
            Map<String, Integer> shown = new LinkedHashMap<>();
            for (Failure f : unknown) {
                String key = f.format + " " + f.cls + " " + f.signature;
                if (shown.merge(key, 1, Integer::sum) > 1) continue;
                m.append("  ").append(f.format).append(" case ").append(f.kase).append(": ").append(f.cls).append(' ').append(f.signature)
                        .append("\n      mutant: ").append(f.mutation).append('\n');
            }
            fail(m.append(b).toString());
        }
    }

    /** Runs one worker over the tasks left in {@code next}, removing each format it finishes or skips. */
    private static void runWorker(long seed, int to, Map<String, Integer> next, Path tmp, long timeoutMs, long cap,
                                  Map<String, Map<String, Integer>> table, List<Failure> failures) throws IOException, InterruptedException {
        Files.createDirectories(tmp);
        Path err = tmp.resolve("worker-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-Xmx1g",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "-Dsynesthesia.shared=" + SharedData.root(),
                "-cp", System.getProperty("java.class.path"), FuzzWorker.class.getName(),
                Long.toString(seed), tmp.toString(), Long.toString(timeoutMs), Long.toString(cap)));
        next.forEach((format, from) -> cmd.add(format + ":" + from + ":" + to));
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String running = next.keySet().iterator().next();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                switch (f[0]) {
                    case "SKIP" -> {
                        if (SharedData.underCi()) fail(f[1] + ": " + f[2]);
                        table.get(f[1]).put("skipped", 1);
                        next.remove(f[1]);
                    }
                    case "T" -> {
                        table.get(f[1]).merge("ms", Integer.parseInt(f[2]), Integer::sum);
                        next.remove(f[1]);
                    }
                    case "R" -> {
                        if (f.length < 6) continue;
                        String format = f[1], cls = f[3], sig = f[4];
                        int kase = Integer.parseInt(f[2]);
                        running = format;
                        next.put(format, kase + 1);
                        Map<String, Integer> counts = table.get(format);
                        if (cls.equals("ACCEPTED") || cls.equals("REFUSED")) { counts.merge(cls, 1, Integer::sum); continue; }
                        KnownIssues.Entry known = KnownIssues.match(format, cls, sig);
                        counts.merge(known != null ? "known" : cls, 1, Integer::sum);
                        failures.add(new Failure(format, kase, cls, sig, f[5], known));
                        if (cls.equals("HANG")) counts.merge("ms", (int) timeoutMs, Integer::sum);
                    }
                    default -> { }
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 && rc != 3 && !next.isEmpty()) {
            // the JVM died without a verdict (crash, or killed): a failure of the case it was on
            String format = next.containsKey(running) ? running : next.keySet().iterator().next();
            int kase = next.get(format);
            String tail = Files.exists(err) ? tailOf(Files.readString(err)) : "";
            table.get(format).merge("CRASH", 1, Integer::sum);
            failures.add(new Failure(format, kase, "CRASH", "worker exited " + rc + ": " + tail, "(see " + err + ")", null));
            next.put(format, kase + 1);
        }
        next.entrySet().removeIf(e -> e.getValue() >= to);
    }

    private static String tailOf(String s) {
        String t = s.strip();
        return (t.length() > 400 ? t.substring(t.length() - 400) : t).replace('\n', '|');
    }
}
