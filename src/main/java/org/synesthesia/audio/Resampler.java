package org.synesthesia.audio;

import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.SynesthesiaException;

/**
 * Band-limited sample-rate conversion with a Kaiser-windowed sinc.
 *
 * <p>For rates {@code from -> to} with {@code g = gcd(from, to)}, {@code L = to/g}, {@code M = from/g}, output
 * sample {@code m} sits at input time {@code t = m*M/L} (sample 0 on sample 0) and is
 * {@code y[m] = sum_k x[k] h(t - k)}, zero outside the input, with
 * {@code h(t) = r*fc * sinc(r*fc*t) * kaiser(t / (Z/r), beta)}, {@code r = min(1, to/from)} and the cutoff
 * {@code fc} (a fraction of the lower Nyquist frequency) set so the Kaiser transition band ends exactly at the
 * lower Nyquist: {@code Z = 64} zero crossings, {@code beta} for {@value #STOPBAND_DB} dB stopband. Going to 16 kHz
 * the passband is flat (+-0.001 dB) to about 7.2 kHz and everything from 8 kHz up is attenuated by about 90 dB.
 *
 * <p>Polyphase: {@code t - k} takes only {@code L} fractional offsets, so the taps are tabulated once per phase
 * (each phase normalised to unit DC gain). When {@code L} exceeds {@value #MAX_PHASES} (odd rates such as 44101
 * Hz) the table holds {@value #MAX_PHASES} evenly spaced phases instead and taps are linearly interpolated
 * between neighbouring phases (relative error ~1e-6). Output length is {@code ceil(n * to / from)}.
 *
 * <p>Bounded work: rates more than {@value #MAX_RATIO} times apart, a filter table over {@value #MAX_TABLE}
 * values or an output over 2^31 samples are refused in one line before anything is allocated (a damaged header's
 * 2^31-1 Hz would need a 17-million-tap kernel in 1025 phases).
 */
public final class Resampler {
    /** Whisper's input rate. */
    static final int WHISPER_RATE = 16_000;
    /** Zero crossings of the sinc on each side, counted at the lower of the two rates. */
    static final int ZERO_CROSSINGS = 64;
    static final double STOPBAND_DB = 90;
    static final int MAX_PHASES = 1024;
    /** The most either rate may exceed the other by: bounds the kernel (2 x 64 x ratio taps) and the output length. */
    static final int MAX_RATIO = 1024;
    /** The most filter-table values (64 MB): 768 kHz at an odd rate to 8 kHz needs 12.6 M. */
    static final int MAX_TABLE = 1 << 24;

    private final int from, to, up, down, taps, phases;
    private final boolean interpolate;
    /** {@code table[p*taps + j]}: weight of input {@code floor(t) - K + 1 + j} at fractional offset {@code p/phases}. */
    private final float[] table;

    private Resampler(int from, int to) {
        if (from <= 0 || to <= 0) throw refused(from, to, "sample rates must be positive");
        if (from > (long) MAX_RATIO * to || to > (long) MAX_RATIO * from)
            throw refused(from, to, "the ratio is beyond " + MAX_RATIO + ":1");
        this.from = from;
        this.to = to;
        int g = gcd(from, to);
        this.up = to / g;
        this.down = from / g;
        double r = Math.min(1.0, to / (double) from);
        double beta = 0.1102 * (STOPBAND_DB - 8.7);
        // Kaiser estimate: transition width (radians per lower-rate sample) for a filter 2Z lower-rate samples long
        double dw = (STOPBAND_DB - 7.95) / (2.285 * 2 * ZERO_CROSSINGS);
        double fc = 1.0 - dw / (2 * Math.PI); // cutoff over the lower Nyquist: stopband edge (fc + dw/2pi) = 1
        double half = ZERO_CROSSINGS / r;      // kernel half-length in input samples
        int k = (int) Math.ceil(half);
        this.taps = 2 * k;
        this.interpolate = up > MAX_PHASES;
        this.phases = interpolate ? MAX_PHASES : up;
        int rows = interpolate ? phases + 1 : phases;
        if ((long) rows * taps > MAX_TABLE)
            throw refused(from, to, "its filter needs " + rows + " phases of " + taps + " taps (at most " + MAX_TABLE + " values)");
        this.table = new float[rows * taps];
        double i0beta = besselI0(beta);
        double cut = r * fc;
        for (int p = 0; p < rows; p++) {
            double frac = p / (double) phases;
            double sum = 0;
            double[] row = new double[taps];
            for (int j = 0; j < taps; j++) {
                double t = frac + (k - 1 - j); // t - k_input for input index floor(t) - k + 1 + j
                double w = Math.abs(t) >= half ? 0 : besselI0(beta * Math.sqrt(1 - (t / half) * (t / half))) / i0beta;
                double h = cut * sinc(cut * t) * w;
                row[j] = h;
                sum += h;
            }
            for (int j = 0; j < taps; j++) table[p * taps + j] = (float) (row[j] / sum);
        }
    }

    /** Resamples to whisper's 16 kHz (returns {@code audio} itself when it is already 16 kHz). */
    public static Audio to16k(Audio audio) {
        return resample(audio, WHISPER_RATE);
    }

    /** Resamples to {@code rate} (returns {@code audio} itself when the rates match). */
    public static Audio resample(Audio audio, int rate) {
        if (audio.sampleRate() == rate) return audio;
        return new Audio(new Resampler(audio.sampleRate(), rate).apply(audio.samples()), rate);
    }

    /** Resamples {@code x} from {@code from} Hz to {@code to} Hz (a copy when the rates match). */
    public static float[] resample(float[] x, int from, int to) {
        if (from == to) return x.clone();
        return new Resampler(from, to).apply(x);
    }

    private float[] apply(float[] x) {
        long n = x.length;
        long outLen = (n * up + down - 1) / down;
        if (outLen > Integer.MAX_VALUE - 8)
            throw refused(from, to, n + " samples would become " + outLen + " (at most " + (Integer.MAX_VALUE - 8) + ")");
        float[] y = new float[(int) outLen];
        int k = taps / 2;
        Parallel.forRange(y.length, 8192, (lo, hi) -> {
            float[] mixed = interpolate ? new float[taps] : null;
            for (int m = lo; m < hi; m++) {
                long pos = (long) m * down;
                int i = (int) (pos / up);          // floor(t)
                int rem = (int) (pos % up);        // t - floor(t) = rem / up
                float[] w;
                int base;
                if (!interpolate) {
                    w = table;
                    base = rem * taps;
                } else {
                    double ph = rem / (double) up * phases;
                    int p0 = (int) ph;
                    float b = (float) (ph - p0), a = 1 - b;
                    int r0 = p0 * taps, r1 = r0 + taps;
                    for (int j = 0; j < taps; j++) mixed[j] = a * table[r0 + j] + b * table[r1 + j];
                    w = mixed;
                    base = 0;
                }
                int first = i - k + 1;
                int j0 = Math.max(0, -first), j1 = Math.min(taps, x.length - first);
                float acc = 0;
                for (int j = j0; j < j1; j++) acc += w[base + j] * x[first + j];
                y[m] = acc;
            }
        });
        return y;
    }

    /** {@code cannot resample FROM Hz to TO Hz: WHY} (one line, before anything is allocated). */
    private static SynesthesiaException refused(int from, int to, String why) {
        return new SynesthesiaException("cannot resample " + from + " Hz to " + to + " Hz: " + why);
    }

    int taps() {
        return taps;
    }

    boolean interpolating() {
        return interpolate;
    }

    private static double sinc(double x) {
        if (x == 0) return 1;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series. */
    static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
