package org.synesthesia.fuzz;

import java.util.List;

/**
 * Failures the fuzzer finds whose fixes other issue-13 items own, tolerated until they land: each entry is a format
 * ("*" for all), an outcome class and the start of its signature (exception class and message, or "@ frame" for
 * hangs), and the item that fixes it. When a fix is merged, delete its entries: the suite then holds the fix in place.
 */
final class KnownIssues {
    private KnownIssues() {}

    record Entry(String format, String outcome, String signature, String item) {
        boolean matches(String fmt, String cls, String sig) {
            return (format.equals("*") || format.equals(fmt)) && outcome.equals(cls) && sig.contains(signature);
        }
    }

    static final List<Entry> ENTRIES = List.of(
    );

    /** The entry tolerating this failure, or null. */
    static Entry match(String format, String outcome, String signature) {
        for (Entry e : ENTRIES) if (e.matches(format, outcome, signature)) return e;
        return null;
    }
}
