package org.synesthesia.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SafeText;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia [--threads N] [--quiet] COMMAND [options]}. Commands are discovered with
 * {@link ServiceLoader}, so modules such as the weights-converter add theirs.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        long mainMillis = System.currentTimeMillis();
        Thread interrupted = interruptedHook();
        Runtime.getRuntime().addShutdownHook(interrupted);
        int rc = run(args);
        System.out.flush();
        org.synesthesia.util.Timings.exit(mainMillis);
        try {
            Runtime.getRuntime().removeShutdownHook(interrupted);
        } catch (IllegalStateException ignored) {
            // a signal came as the command finished: the hook says so
        }
        System.exit(rc);
    }

    /**
     * Runs on SIGINT/SIGTERM before the command finished (the JVM then exits 130/143): deletes the outputs being
     * written ({@link AtomicFiles#abandonAll()}) and says so in one line.
     */
    static Thread interruptedHook() {
        return new Thread(() -> {
            List<java.nio.file.Path> unfinished = AtomicFiles.abandonAll();
            System.out.flush();
            System.err.println((System.console() != null ? "\n" : "") + "synesthesia: interrupted"
                    + (unfinished.isEmpty() ? "" : "; removed the unfinished " + unfinished.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))));
            System.err.flush();
        }, "interrupted");
    }

    /** Runs one command line and returns its exit status (used by tests: no System.exit). */
    public static int run(String... argv) {
        Map<String, Command> commands = commands();
        List<String> rest = new ArrayList<>(Arrays.asList(argv));
        // global options, accepted before or after the command word
        Progress.setQuiet(rest.remove("--quiet") | rest.remove("-q"));
        int ti = rest.indexOf("--threads");
        try {
            if (ti >= 0) {
                if (ti + 1 >= rest.size()) throw new SynesthesiaException("--threads needs a number");
                int n;
                try {
                    n = Integer.parseInt(rest.get(ti + 1));
                } catch (NumberFormatException e) {
                    throw new SynesthesiaException("--threads must be a positive integer, not '" + rest.get(ti + 1) + "'");
                }
                if (n <= 0) throw new SynesthesiaException("--threads must be a positive integer, not " + n);
                Parallel.setThreads(n);
                rest.remove(ti + 1);
                rest.remove(ti);
            }
            if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h") || rest.get(0).equals("help")) {
                if (rest.size() > 1 && commands.containsKey(rest.get(1))) System.out.println(commands.get(rest.get(1)).usage());
                else System.out.print(help(commands));
                return 0;
            }
            if (rest.get(0).equals("--version") || rest.get(0).equals("version")) {
                System.out.println("synesthesia " + version() + " on Java " + Runtime.version() + "; " + Simd.describe() + "; " + Parallel.threads() + " threads");
                return 0;
            }
            String name = rest.get(0);
            Command c = commands.get(name);
            if (c == null) throw new SynesthesiaException("unknown command '" + name + "' (synesthesia --help lists them)");
            List<String> cargs = rest.subList(1, rest.size());
            if (cargs.contains("--help") || cargs.contains("-h")) {
                System.out.println(c.usage(cargs));
                return 0;
            }
            Set<String> flags = new HashSet<>(c.flags());
            return c.run(new Args(name, cargs, flags, c.aliases()));
        } catch (SynesthesiaException e) {
            System.err.println("synesthesia: " + SafeText.clean(e.getMessage(), SafeText.MESSAGE_LIMIT));
            return 1;
        } catch (OutOfMemoryError e) {
            System.err.println("synesthesia: out of memory (" + e.getMessage() + "); give the JVM more with -Xmx, e.g. java -Xmx16g -jar synesthesia.jar ...");
            return 1;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            java.io.IOException io = e instanceof java.io.UncheckedIOException u ? u.getCause() : (java.io.IOException) e;
            System.err.println("synesthesia: I/O error: " + AtomicFiles.reason(io));
            return 1;
        } catch (Exception e) {
            System.err.println("synesthesia: internal error: " + SafeText.clean(String.valueOf(e), SafeText.MESSAGE_LIMIT));
            e.printStackTrace();
            return 2;
        }
    }

    static Map<String, Command> commands() {
        Map<String, Command> m = new LinkedHashMap<>();
        List<Command> list = new ArrayList<>();
        ServiceLoader.load(Command.class, Main.class.getClassLoader()).forEach(list::add);
        list.sort(Comparator.comparing(Command::name));
        for (Command c : list) m.put(c.name(), c);
        return m;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String help(Map<String, Command> commands) {
        StringBuilder b = new StringBuilder();
        b.append("synesthesia: speech to pictures, pictures to sound, in pure Java\n\n");
        b.append("usage: synesthesia [--threads N] [--quiet] COMMAND [options]\n\ncommands:\n");
        int w = commands.keySet().stream().mapToInt(String::length).max().orElse(8);
        for (Command c : commands.values()) b.append(String.format("  %-" + w + "s  %s%n", c.name(), c.summary()));
        b.append("\nsynesthesia COMMAND --help shows a command's options.\n");
        b.append("global: --threads N (default: all cores), --quiet (no progress on stderr), --version\n");
        return b.toString();
    }
}
