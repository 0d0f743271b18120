package org.synesthesia.fuzz;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.synesthesia.util.SynesthesiaException;

/**
 * Runs cases {@code [from, to)} of each given format in this (forked) JVM and prints one line per case on stdout:
 * {@code R <tab> format <tab> case <tab> CLASS <tab> signature <tab> mutation}, {@code T <tab> format <tab> ms} after
 * each format, CLASS one of ACCEPTED, REFUSED, TRACE (any other
 * exception), MESSAGE (a refusal that is not one clean line), WRONG (accepted but wrong, e.g. NaN audio), ALLOC.
 * A watchdog ends the JVM on a case running past its time ({@code HANG}) or allocating past the cap ({@code ALLOC}),
 * after printing the line with the stuck thread's top frame; {@link FuzzTest} restarts after it.
 *
 * <p>Arguments: run seed, temp folder, timeout in ms, allocation cap in bytes, then tasks {@code format:from:to}.
 */
public final class FuzzWorker {
    private FuzzWorker() {}

    /** The case running (-1: none; -2: the watchdog has claimed it and is ending the JVM). */
    private static final java.util.concurrent.atomic.AtomicInteger current = new java.util.concurrent.atomic.AtomicInteger(-1);
    private static volatile int currentFirst;
    private static volatile String currentFormat = "";
    private static volatile long startedAt, allocStart;
    private static volatile String currentMutation = "";

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err); // readers' own output must not mix with the protocol
        long runSeed = Long.parseLong(args[0]);
        Path tmp = Path.of(args[1]);
        long timeoutMs = Long.parseLong(args[2]), cap = Long.parseLong(args[3]);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Thread worker = Thread.currentThread();
        long firstLimit = Math.max(timeoutMs, 15_000); // a format's first case also loads and compiles its reader
        Thread dog = Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try { Thread.sleep(20); } catch (InterruptedException e) { return; }
                int c = current.get();
                if (c < 0) continue;
                long limit = c == currentFirst ? firstLimit : timeoutMs;
                long ms = (System.nanoTime() - startedAt) / 1_000_000;
                long alloc = mx.getThreadAllocatedBytes(worker.threadId()) - allocStart;
                String why = ms > limit ? "HANG\tran over " + limit + " ms" : alloc > cap ? "ALLOC\tallocated " + alloc + " bytes (cap " + cap + ")" : null;
                if (why != null && current.compareAndSet(c, -2)) {
                    out.println("R\t" + currentFormat + "\t" + c + "\t" + why + " @ " + topFrames(worker.getStackTrace()) + "\t" + currentMutation);
                    out.flush();
                    Runtime.getRuntime().halt(3);
                }
            }
        });
        for (int a = 4; a < args.length; a++) {
            String[] task = args[a].split(":");
            String format = task[0];
            int from = Integer.parseInt(task[1]), to = Integer.parseInt(task[2]);
            long t0 = System.nanoTime();
            Formats.Format f;
            try {
                f = Formats.get(format, Files.createDirectories(tmp.resolve(format).resolve("seeds")));
            } catch (org.opentest4j.TestAbortedException e) {
                out.println("SKIP\t" + format + "\t" + clean(e.getMessage()));
                continue;
            }
            currentFormat = format;
            currentFirst = from;
            runCases(f, new Mutator(f.seeds(), f.special(), runSeed), from, to, tmp.resolve(format).resolve("case"), mx, worker, cap, out);
            out.println("T\t" + format + "\t" + (System.nanoTime() - t0) / 1_000_000);
        }
        dog.interrupt();
        out.println("DONE");
    }

    private static void runCases(Formats.Format f, Mutator m, int from, int to, Path dir, com.sun.management.ThreadMXBean mx, Thread worker,
                                 long cap, PrintStream out) throws IOException, InterruptedException {
        for (int i = from; i < to; i++) {
            Mutant mu = m.mutant(i);
            currentMutation = clean(mu.seed().name() + ": " + mu.mutation());
            clear(dir);
            Files.createDirectories(dir);
            for (Seed.Companion c : mu.seed().companions()) Files.write(dir.resolve(c.fileName()), c.bytes());
            Path file = Files.write(dir.resolve(mu.seed().fileName()), mu.bytes());
            allocStart = mx.getThreadAllocatedBytes(worker.threadId());
            startedAt = System.nanoTime();
            current.set(i);
            String outcome;
            try {
                String wrong = f.reader().read(file, mu.seed());
                if (wrong == null && mu.mustRefuse()) wrong = "accepted a file it must refuse";
                outcome = wrong == null ? "ACCEPTED\t" : "WRONG\t" + clean(wrong);
            } catch (SynesthesiaException e) {
                String problem = oneLineProblem(e.getMessage());
                outcome = problem == null ? "REFUSED\t" : "MESSAGE\t" + problem + " @ " + topFrames(e.getStackTrace());
            } catch (OutOfMemoryError e) {
                outcome = "ALLOC\tOutOfMemoryError: " + clean(String.valueOf(e.getMessage())) + " @ " + topFrames(e.getStackTrace());
            } catch (Throwable e) {
                outcome = "TRACE\t" + signature(e);
            }
            if (current.getAndSet(-1) == -2) { // the watchdog reported this case and is halting the JVM
                current.set(-2);
                Thread.sleep(Long.MAX_VALUE);
            }
            long alloc = mx.getThreadAllocatedBytes(worker.threadId()) - allocStart;
            if (alloc > cap && !outcome.startsWith("ALLOC")) outcome = "ALLOC\tallocated " + alloc + " bytes (cap " + cap + ")";
            out.println("R\t" + f.name() + "\t" + i + "\t" + outcome + "\t" + currentMutation);
        }
    }

    /** Null when {@code msg} is one clean line (no line breaks or control bytes, at most 2000 characters), else why not. */
    static String oneLineProblem(String msg) {
        if (msg == null || msg.isBlank()) return "empty message";
        if (msg.length() > 2000) return "message of " + msg.length() + " characters";
        for (int i = 0; i < msg.length(); i++) {
            char c = msg.charAt(i);
            if (c == '\n' || c == '\r') return "message of several lines";
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) return "control character " + (int) c + " in message";
        }
        return null;
    }

    /** Exception class, message start and the first project frames: what {@link KnownIssues} matches. */
    static String signature(Throwable e) {
        Throwable root = e;
        String m = root.getMessage() == null ? "" : root.getMessage();
        return root.getClass().getName() + ": " + clean(m.length() > 80 ? m.substring(0, 80) : m) + " @ " + topFrames(root.getStackTrace());
    }

    static String topFrames(StackTraceElement[] st) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (StackTraceElement f : st) {
            if (!f.getClassName().startsWith("org.synesthesia.") || f.getClassName().startsWith("org.synesthesia.fuzz.")) continue;
            if (n++ > 0) b.append(" < ");
            b.append(f.getClassName().substring("org.synesthesia.".length())).append('.').append(f.getMethodName()).append(':').append(f.getLineNumber());
            if (n == 3) break;
        }
        if (n == 0 && st.length > 0) b.append(st[0].getClassName()).append('.').append(st[0].getMethodName());
        return b.toString();
    }

    static String clean(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 300; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : c);
        }
        return b.toString();
    }

    private static void clear(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.delete(p);
        }
    }
}
