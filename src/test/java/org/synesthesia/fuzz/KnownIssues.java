package org.synesthesia.fuzz;

import java.util.List;

/**
 * Failures the fuzzer finds whose fixes other issue-13 items own, tolerated until they land. An entry is a format
 * ("*" for all), an outcome class, the start of the signature (exception class and message; the reason for HANG,
 * ALLOC, MESSAGE and WRONG) and a frame the signature must name ("" for any), and the issue item that fixes it.
 * When a fix is merged, delete its entries: the suite then holds the fix in place.
 */
final class KnownIssues {
    private KnownIssues() {}

    record Entry(String format, String outcome, String signatureStart, String frame, String item) {
        boolean matches(String fmt, String cls, String sig) {
            return (format.equals("*") || format.equals(fmt)) && outcome.equals(cls) && sig.startsWith(signatureStart)
                    && (frame.isEmpty() || sig.contains("@ " + frame) || sig.contains("< " + frame));
        }
    }

    /** Empty: every issue-13 fix has landed. A new entry needs the issue that will remove it. */
    static final List<Entry> ENTRIES = List.of();

    /** The entry tolerating this failure, or null. */
    static Entry match(String format, String outcome, String signature) {
        for (Entry e : ENTRIES) if (e.matches(format, outcome, signature)) return e;
        return null;
    }
}
