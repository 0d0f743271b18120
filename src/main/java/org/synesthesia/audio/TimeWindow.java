package org.synesthesia.audio;

import java.util.Arrays;
import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/**
 * The part {@code [from, to)} of a recording, in seconds ({@code --from} / {@code --to}); {@code to} may be
 * {@link Double#POSITIVE_INFINITY} for "to the end". Sample indices are {@code round(t * sampleRate)}; a window
 * reaching past the end is cut at the end, one starting at or after the end (or empty) is an error.
 */
public record TimeWindow(double from, double to) {
    /** The whole recording. */
    public static final TimeWindow ALL = new TimeWindow(0, Double.POSITIVE_INFINITY);

    public TimeWindow {
        if (!(from >= 0) || Double.isInfinite(from)) throw new SynesthesiaException(String.format(Locale.ROOT, "--from must be a number of seconds >= 0, not %s", from));
        if (Double.isNaN(to)) throw new SynesthesiaException("--to must be a number of seconds, not NaN");
        if (!(to > from)) throw new SynesthesiaException(String.format(Locale.ROOT, "empty time window: --to %s is not after --from %s", fmt(to), fmt(from)));
    }

    /** A window from optional bounds (null: start / end of the recording). */
    public static TimeWindow of(Double from, Double to) {
        return new TimeWindow(from == null ? 0 : from, to == null ? Double.POSITIVE_INFINITY : to);
    }

    public boolean isAll() {
        return from == 0 && to == Double.POSITIVE_INFINITY;
    }

    /** The samples of {@code audio} inside the window; {@code source} names the file in errors. */
    public Audio apply(Audio audio, Object source) {
        if (isAll()) return audio;
        int n = audio.length(), sr = audio.sampleRate();
        long start = Math.round(from * sr);
        long end = to == Double.POSITIVE_INFINITY ? n : Math.min(n, Math.round(to * sr));
        if (start >= n)
            throw SynesthesiaException.inFile(source, String.format(Locale.ROOT, "time window %s starts after the end of the audio (%s s long)", this, fmt(audio.seconds())));
        if (end <= start)
            throw SynesthesiaException.inFile(source, String.format(Locale.ROOT, "time window %s holds no samples at %d Hz", this, sr));
        return new Audio(Arrays.copyOfRange(audio.samples(), (int) start, (int) end), sr);
    }

    private static String fmt(double s) {
        if (s == Double.POSITIVE_INFINITY) return "end";
        String t = String.format(Locale.ROOT, "%.3f", s);
        return t.contains(".") ? t.replaceAll("0+$", "").replaceAll("\\.$", "") : t;
    }

    @Override
    public String toString() {
        return "[" + fmt(from) + " s, " + fmt(to) + (to == Double.POSITIVE_INFINITY ? ")" : " s)");
    }
}
