package org.synesthesia.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work on stderr: {@code label step/total, rate, elapsed, time left}, redrawn in place on a
 * terminal and printed every few seconds otherwise. {@link #setQuiet(boolean)} ({@code --quiet}) silences it.
 */
public final class Progress implements AutoCloseable {
    private static volatile boolean quiet;
    private static volatile PrintStream out = System.err;

    private final String label;
    private final long total;
    private final String unit;
    private final long start = System.nanoTime();
    private long done;
    private long lastPrint;
    private final boolean tty = System.console() != null;

    private Progress(String label, long total, String unit) {
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    public static void setQuiet(boolean q) { quiet = q; }

    public static boolean isQuiet() { return quiet; }

    /** Redirects messages (tests). */
    public static void setStream(PrintStream s) { out = s; }

    public static Progress start(String label, long total, String unit) {
        return new Progress(label, total, unit);
    }

    /** A one-off status line (same quiet rule). */
    public static void info(String message) {
        if (!quiet) out.println(message);
    }

    public void step() { advance(1); }

    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (done >= total || now - lastPrint > (tty ? 200_000_000L : 5_000_000_000L) || done == n) {
            lastPrint = now;
            print(false);
        }
    }

    private void print(boolean end) {
        if (quiet) return;
        double el = (System.nanoTime() - start) / 1e9;
        double rate = el > 0 ? done / el : 0;
        double left = rate > 0 ? (total - done) / rate : Double.NaN;
        String rateStr = rate >= 1 || rate == 0 ? String.format(Locale.ROOT, "%.2f %s/s", rate, unit) : String.format(Locale.ROOT, "%.2f s/%s", 1 / rate, unit);
        String line = String.format(Locale.ROOT, "%s %d/%d, %s, %s elapsed%s", label, done, total, rateStr, time(el),
                done < total && !Double.isNaN(left) ? ", " + time(left) + " left" : "");
        if (tty) out.print("\r" + line + "\u001b[K" + (end || done >= total ? "\n" : ""));
        else out.println(line);
        out.flush();
    }

    static String time(double s) {
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", s);
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60) : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }

    @Override
    public synchronized void close() {
        if (tty && done < total && !quiet) out.println();
    }
}
