package org.synesthesia.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The process's memory as benchmarks report it: Java heap peaks and, on Linux, resident set sizes. */
public final class MemoryStats {
    private MemoryStats() {}

    /** Sum over heap pools of their peak usage (an upper bound on the peak of the whole heap), bytes. */
    public static long peakHeap() {
        long s = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) s += p.getPeakUsage().getUsed();
        return s;
    }

    /** Resident set now (VmRSS), bytes; -1 where /proc/self/status is missing. */
    public static long residentNow() {
        return status("VmRSS:");
    }

    /** Peak resident set (VmHWM), bytes; -1 where /proc/self/status is missing. */
    public static long residentPeak() {
        return status("VmHWM:");
    }

    /**
     * Resets the peak resident set (VmHWM) to the current one (Linux: writes 5 to /proc/self/clear_refs), so the next
     * {@link #residentPeak()} is the peak since now; false where that is not possible.
     */
    public static boolean resetResidentPeak() {
        try {
            Path p = Path.of("/proc/self/clear_refs");
            if (!Files.isWritable(p)) return false;
            Files.writeString(p, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code bytes} in MiB, or "n/a" for a negative count. */
    public static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    private static long status(String key) {
        try {
            Path p = Path.of("/proc/self/status");
            if (!Files.isReadable(p)) return -1;
            for (String l : Files.readAllLines(p))
                if (l.startsWith(key)) return 1024 * Long.parseLong(l.substring(key.length()).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
