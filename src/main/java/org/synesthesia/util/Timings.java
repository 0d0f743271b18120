package org.synesthesia.util;

import java.util.Locale;

/**
 * Machine-readable timing lines for whole-job benchmarks ({@code bench transcribe}, {@code bench speak}): when the
 * environment variable {@value #ENV} is set, each finished pipeline stage and the end of the command print one
 * tab-separated line starting with {@value #PREFIX} on stderr. Off (the default), nothing is printed.
 */
public final class Timings {
    public static final String ENV = "SYNESTHESIA_TIMINGS";
    public static final String PREFIX = "synesthesia-timing";
    /** Set by the launcher for the engine JVM it starts: epoch milliseconds just before the start. */
    public static final String LAUNCHED_ENV = "SYNESTHESIA_LAUNCHED_AT";
    private static final boolean ON = System.getenv(ENV) != null;

    /** Seconds and counts summed per part (e.g. "encoder", "decoder step"), printed by {@link #exit}. */
    private static final java.util.Map<String, double[]> PARTS = new java.util.concurrent.ConcurrentSkipListMap<>();

    private Timings() {}

    /** {@link System#nanoTime()} when on, else 0 (so callers time a part at no cost when off). */
    public static long start() {
        return ON ? System.nanoTime() : 0;
    }

    /** Adds the time since {@code start} (from {@link #start()}) to the part {@code label}; one more call of it. */
    public static void add(String label, long start) {
        if (!ON) return;
        double s = (System.nanoTime() - start) / 1e9;
        PARTS.compute(label, (k, v) -> v == null ? new double[] {s, 1} : new double[] {v[0] + s, v[1] + 1});
    }

    public static boolean on() {
        return ON;
    }

    /** {@code PREFIX stage LABEL SECONDS}. */
    public static void stage(String label, double seconds) {
        if (ON) line("stage\t" + label + "\t" + String.format(Locale.ROOT, "%.4f", seconds));
    }

    /**
     * {@code PREFIX part LABEL SECONDS CALLS} per part, then {@code PREFIX exit PROCESS_START_MS JVM_START_MS MAIN_MS
     * END_MS PEAK_RESIDENT PEAK_HEAP LAUNCHED_MS}: epoch milliseconds of the process start (as the OS counts it,
     * to the second), the JVM's start, {@code main}'s entry ({@code mainMillis}) and now, the peak resident set
     * (VmHWM) and the summed heap pool peaks in bytes, and when the launcher started this JVM ({@value #LAUNCHED_ENV};
     * -1 when not relaunched).
     */
    public static void exit(long mainMillis) {
        if (!ON) return;
        for (var e : PARTS.entrySet())
            line("part\t" + e.getKey() + "\t" + String.format(Locale.ROOT, "%.4f", e.getValue()[0]) + "\t" + (long) e.getValue()[1]);
        long process = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
        long jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        line("exit\t" + process + "\t" + jvm + "\t" + mainMillis + "\t" + System.currentTimeMillis() + "\t"
                + MemoryStats.residentPeak() + "\t" + MemoryStats.peakHeap() + "\t" + launched());
    }

    private static long launched() {
        try {
            String v = System.getenv(LAUNCHED_ENV);
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void line(String s) {
        System.err.println(PREFIX + "\t" + s);
        System.err.flush();
    }
}
