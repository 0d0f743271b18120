package org.synesthesia.audioldm;

import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/**
 * A generation length: AudioLDM's latent is [1, 8, seconds * 25.6, 16] (mel frames of 10 ms, VAE factor 4), and its
 * UNet halves the time axis three times, so lengths are multiples of 2.5 s (64 latent frames); others round up.
 *
 * @param requested the seconds asked for
 * @param seconds   the seconds generated: {@code requested} rounded up to a multiple of 2.5
 */
public record AudioLdmDuration(double requested, double seconds) {
    public static final double UNIT = 2.5;

    public static AudioLdmDuration of(double requested) {
        if (!(requested > 0) || Double.isInfinite(requested))
            throw new SynesthesiaException("audioldm: the duration must be a positive number of seconds, not " + format(requested));
        double s = Math.ceil(requested / UNIT - 1e-9) * UNIT;
        return new AudioLdmDuration(requested, s);
    }

    public boolean rounded() {
        return seconds != requested;
    }

    /** Latent frames: {@code seconds * 25.6} (64 per 2.5 s). */
    public int latentFrames() {
        return (int) Math.round(seconds / UNIT) * 64;
    }

    /** Samples at 16 kHz. */
    public int samples() {
        return (int) Math.round(seconds * AudioLdm.SAMPLE_RATE);
    }

    /** The one line said when the length was rounded up. */
    public String note() {
        return "duration " + format(requested) + " s rounded up to " + format(seconds) + " s (AudioLDM generates multiples of 2.5 s)";
    }

    static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e9 ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
    }
}
