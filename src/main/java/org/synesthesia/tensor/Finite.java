package org.synesthesia.tensor;

import org.synesthesia.util.SynesthesiaException;

/**
 * The run-time NaN/Inf guard: one scan of an output array (a model's encoder output, logits, latents, decoded
 * image or waveform) per window or step, failing in one line that names the stage which went non-finite. A NaN
 * anywhere in a model's weights reaches every later activation, so without the scan a run ends with exit 0 and a
 * meaningless result ({@code !!!!} transcripts, black images, silent audio).
 */
public final class Finite {
    /** What usually makes a model's output non-finite. */
    public static final String WEIGHTS_HINT = "the model weights hold NaN/Inf?";

    private Finite() {}

    /** Index of the first NaN or infinite value of {@code a[from, to)}, or -1 when all are finite. */
    public static int firstNonFinite(float[] a, int from, int to) {
        for (int i = from; i < to; i++)
            // exponent bits all ones: NaN or +-Inf
            if ((Float.floatToRawIntBits(a[i]) & 0x7f800000) == 0x7f800000) return i;
        return -1;
    }

    /** {@link #firstNonFinite(float[], int, int)} over the whole array. */
    public static int firstNonFinite(float[] a) {
        return firstNonFinite(a, 0, a.length);
    }

    /** Throws {@code STAGE is not finite (NaN at element i of n): the model weights hold NaN/Inf?} unless {@code a} is finite. */
    public static void check(float[] a, String stage) {
        check(a, 0, a.length, stage, WEIGHTS_HINT);
    }

    /** {@link #check(float[], String)} over {@code a[from, to)} with a caller's {@code hint} after the colon. */
    public static void check(float[] a, int from, int to, String stage, String hint) {
        int i = firstNonFinite(a, from, to);
        if (i >= 0) throw error(stage, a[i], i - from, to - from, hint);
    }

    /** {@link #check(float[], String)} over a tensor's elements (a view is scanned in logical order). */
    public static void check(Tensor t, String stage) {
        if (t.isContiguous()) check(t.data(), t.offset(), t.offset() + t.size(), stage, WEIGHTS_HINT);
        else check(t.toArray(), stage);
    }

    /** The one-line error for {@code value} at {@code index} of {@code count} elements of {@code stage}. */
    public static SynesthesiaException error(String stage, float value, long index, long count, String hint) {
        return new SynesthesiaException(stage + " is not finite (" + name(value) + " at element " + index + " of " + count + ")"
                + (hint == null || hint.isEmpty() ? "" : ": " + hint));
    }

    /** {@code NaN}, {@code +Inf} or {@code -Inf}. */
    public static String name(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
    }
}
