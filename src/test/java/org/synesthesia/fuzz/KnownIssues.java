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

    static final List<Entry> ENTRIES = List.of(
            // item 4: unbounded recursion (deep or self-referencing pickles and JSON)
            new Entry("*", "TRACE", "java.lang.StackOverflowError", "util.Json.", "issue 13 item 4 (Json depth limit)"),
            new Entry("*", "TRACE", "java.lang.StackOverflowError", "io.TorchStateDict.containsTensor", "issue 13 item 4 (cycle-safe, depth-limited walkers)"),
            new Entry("*", "HANG", "ran over", "io.Unpickler.", "issue 13 item 4 (1,000,000-deep pickle: the unpickler's mark stack)"),
            // item 5: size arithmetic
            new Entry("*", "TRACE", "java.lang.IndexOutOfBoundsException: Out of bound access on segment", "io.TorchStateDict.tensor", "issue 13 item 5 (checked tensor sizes)"),
            // item 6: tokenizer vocabularies with negative or shifted ids
            new Entry("*", "TRACE", "java.lang.", "text.Vocab.<init>", "issue 13 item 6 (negative or out-of-range vocab ids)"),
            new Entry("*", "ALLOC", "OutOfMemoryError", "text.Vocab.<init>", "issue 13 item 6 (vocab ids shifted by 1e9)"),
            // item 8: file bytes in messages
            new Entry("*", "MESSAGE", "control character", "", "issue 13 item 8 (escape file bytes in messages)"),
            // item 9: non-finite audio
            new Entry("*", "WRONG", "non-finite audio sample accepted", "", "issue 13 item 9 (reject non-finite audio)")
    );

    /** The entry tolerating this failure, or null. */
    static Entry match(String format, String outcome, String signature) {
        for (Entry e : ENTRIES) if (e.matches(format, outcome, signature)) return e;
        return null;
    }
}
