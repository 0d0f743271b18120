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
            new Entry("*", "HANG", "ran over", "io.TorchStateDict.containsTensor", "issue 13 item 4 (1,000,000-deep pickle: the walker)"),
            // item 2: WAV sample rates (the resampler's kernel for a rate of 2^31-1)
            new Entry("*", "HANG", "ran over", "audio.Resampler.", "issue 13 item 2 (validate WAV rates, bound the resampler's kernel)"),
            new Entry("*", "ALLOC", "", "audio.Resampler.", "issue 13 item 2 (validate WAV rates, bound the resampler's kernel)"),
            new Entry("*", "TRACE", "java.lang.", "audio.Resampler.", "issue 13 item 2 (WAV rate 1)"),
            // item 5: size arithmetic
            new Entry("*", "TRACE", "java.lang.IndexOutOfBoundsException: Out of bound access on segment", "io.TorchStateDict.tensor", "issue 13 item 5 (checked tensor sizes)"),
            new Entry("*", "TRACE", "java.lang.ArithmeticException", "io.", "issue 13 item 5 (multiplyExact overflows as damaged tensor headers)"),
            // item 6: tokenizer vocabularies with negative or shifted ids
            new Entry("*", "TRACE", "java.lang.", "text.Vocab.<init>", "issue 13 item 6 (negative or out-of-range vocab ids)"),
            new Entry("*", "ALLOC", "OutOfMemoryError", "text.Vocab.<init>", "issue 13 item 6 (vocab ids shifted by 1e9)"),
            // (an OutOfMemoryError may come without frames: the vocabulary with ids shifted by 1e9)
            new Entry("roberta-tokenizer", "ALLOC", "OutOfMemoryError", "", "issue 13 item 6 (vocab ids shifted by 1e9)"),
            new Entry("clip-tokenizer", "ALLOC", "OutOfMemoryError", "", "issue 13 item 6 (vocab ids shifted by 1e9)"),
            // item 6: config fields (null or out-of-range values, steps_offset past the training steps)
            new Entry("*", "TRACE", "java.lang.", "diffusion.unet.UNetConfig", "issue 13 item 6 (validate every UNet config field)"),
            new Entry("*", "TRACE", "java.lang.", "diffusion.vae.VaeConfig", "issue 13 item 6 (validate every VAE config field)"),
            new Entry("*", "TRACE", "java.lang.", "clip.ClipTextConfig", "issue 13 item 6 (validate every CLIP config field)"),
            new Entry("*", "TRACE", "java.lang.IllegalArgumentException", "diffusion.scheduler.", "issue 13 item 6 (steps_offset and scheduler fields)"),
            // item 8: file bytes in messages
            new Entry("*", "MESSAGE", "control character", "", "issue 13 item 8 (escape file bytes in messages)"),
            new Entry("*", "MESSAGE", "message of several lines", "", "issue 13 item 8 (escape file bytes in messages)"),
            new Entry("*", "MESSAGE", "message of ", "", "issue 13 item 8 (cap names in messages)"),
            // item 9: non-finite audio
            new Entry("*", "WRONG", "non-finite audio sample accepted", "", "issue 13 item 9 (reject non-finite audio)")
    );

    /** The entry tolerating this failure, or null. */
    static Entry match(String format, String outcome, String signature) {
        for (Entry e : ENTRIES) if (e.matches(format, outcome, signature)) return e;
        return null;
    }
}
