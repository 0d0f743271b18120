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
 * Runs cases {@code [from, to)} of one format in this (forked) JVM and prints one line per case on stdout:
 * {@code R <tab> case <tab> CLASS <tab> signature <tab> mutation}, CLASS one of ACCEPTED, REFUSED, TRACE (any other
 * exception), MESSAGE (a refusal that is not one clean line), WRONG (accepted but wrong, e.g. NaN audio), ALLOC.
 * A watchdog ends the JVM on a case running past its time ({@code HANG}) or allocating past the cap ({@code ALLOC}),
 * after printing the line with the stuck thread's top frame; {@link FuzzTest} restarts after it.
 *
 * <p>Arguments: format, run seed, from, to, temp folder, timeout in ms, allocation cap in bytes.
 */
public final class FuzzWorker {
    private FuzzWorker() {}

    private static volatile int current = -1;
    private static volatile long startedAt, allocStart;
    private static volatile String currentMutation = "";

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(System.err); // readers' own output must not mix with the protocol
        String format = args[0];
        long runSeed = Long.parseLong(args[1]);
        int from = Integer.parseInt(args[2]), to = Integer.parseInt(args[3]);
        Path tmp = Path.of(args[4]);
        long timeoutMs = Long.parseLong(args[5]), cap = Long.parseLong(args[6]);
        Formats.Format f;
        try {
            f = Formats.get(format, Files.createDirectories(tmp.resolve("seeds")));
        } catch (org.opentest4j.TestAbortedException e) {
            out.println("SKIP\t" + clean(e.getMessage()));
            return;
        }
        Mutator m = new Mutator(f.seeds(), f.special(), runSeed);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Thread worker = Thread.currentThread();
        long firstLimit = Math.max(timeoutMs, 15_000); // the first case also loads and compiles the readers
        Thread dog = Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                try { Thread.sleep(20); } catch (InterruptedException e) { return; }
                int c = current;
                if (c < 0) continue;
                long ms = (System.nanoTime() - startedAt) / 1_000_000;
                long alloc = mx.getThreadAllocatedBytes(worker.threadId()) - allocStart;
                String why = ms > (c == from ? firstLimit : timeoutMs) ? "HANG\tran over " + (c == from ? firstLimit : timeoutMs) + " ms"
                        : alloc > cap ? "ALLOC\tallocated " + alloc + " bytes (cap " + cap + ")" : null;
                if (why != null && current == c) {
                    out.println("R\t" + c + "\t" + why + " @ " + topFrames(worker.getStackTrace()) + "\t" + currentMutation);
                    out.flush();
                    Runtime.getRuntime().halt(3);
                }
            }
        });
        Path dir = tmp.resolve("case");
        for (int i = from; i < to; i++) {
            Mutant mu = m.mutant(i);
            currentMutation = clean(mu.seed().name() + ": " + mu.mutation());
            clear(dir);
            Files.createDirectories(dir);
            for (Seed.Companion c : mu.seed().companions()) Files.write(dir.resolve(c.fileName()), c.bytes());
            Path file = Files.write(dir.resolve(mu.seed().fileName()), mu.bytes());
            allocStart = mx.getThreadAllocatedBytes(worker.threadId());
            startedAt = System.nanoTime();
            current = i;
            String outcome;
            try {
                String wrong = f.reader().read(file, mu.seed());
                outcome = wrong == null ? "ACCEPTED\t" : "WRONG\t" + clean(wrong);
            } catch (SynesthesiaException e) {
                String problem = oneLineProblem(e.getMessage());
                outcome = problem == null ? "REFUSED\t" : "MESSAGE\t" + problem + " @ " + topFrames(e.getStackTrace());
            } catch (OutOfMemoryError e) {
                outcome = "ALLOC\tOutOfMemoryError: " + clean(String.valueOf(e.getMessage())) + " @ " + topFrames(e.getStackTrace());
            } catch (Throwable e) {
                outcome = "TRACE\t" + signature(e);
            }
            current = -1;
            long alloc = mx.getThreadAllocatedBytes(worker.threadId()) - allocStart;
            if (alloc > cap && !outcome.startsWith("ALLOC")) outcome = "ALLOC\tallocated " + alloc + " bytes (cap " + cap + ")";
            out.println("R\t" + i + "\t" + outcome + "\t" + currentMutation);
        }
        dog.interrupt();
        out.println("DONE");
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
