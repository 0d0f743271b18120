package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.synesthesia.testing.Assert;
import org.synesthesia.util.SynesthesiaException;

class ResamplerTest {
    static float[] sine(int rate, double hz, double amp, double seconds) {
        float[] x = new float[(int) Math.round(rate * seconds)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / rate + 0.3));
        return x;
    }

    /** Amplitude of the {@code hz} component of y[from, to) (a single DFT bin; exact for whole periods). */
    static double amplitude(float[] y, int rate, double hz, int from, int to) {
        double re = 0, im = 0;
        for (int i = from; i < to; i++) {
            double ph = 2 * Math.PI * hz * i / rate;
            re += y[i] * Math.cos(ph);
            im += y[i] * Math.sin(ph);
        }
        return 2 * Math.hypot(re, im) / (to - from);
    }

    static double rms(float[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += y[i] * (double) y[i];
        return Math.sqrt(s / (to - from));
    }

    @ParameterizedTest(name = "{0} Hz -> 16 kHz")
    @ValueSource(ints = {44100, 48000, 22050, 8000, 11025, 32000, 44101})
    void sineKeepsFrequencyAndAmplitude(int rate) {
        for (double hz : new double[] {440, 1000, 3150, 5000, 7000}) {
            if (hz > 0.45 * rate) continue;
            float[] y = Resampler.to16k(new Audio(sine(rate, hz, 0.5, 2.0), rate)).samples();
            assertEquals((int) Math.ceil(2.0 * rate * 16000 / rate), y.length);
            // whole seconds in the middle: an integer number of periods of every test frequency
            double a = amplitude(y, 16000, hz, 8000, 24000);
            assertEquals(0.5, a, 0.5 * 1e-3, rate + " Hz, tone " + hz + ": amplitude " + a);
            // the peak is at hz: 2 Hz off, the bin is already far lower
            assertTrue(amplitude(y, 16000, hz + 2, 8000, 24000) < 0.05 * a);
            assertTrue(amplitude(y, 16000, hz - 2, 8000, 24000) < 0.05 * a);
            // and nothing else: the residual after removing the tone is tiny
            assertTrue(rms(y, 8000, 24000) < 0.5 / Math.sqrt(2) * 1.001);
        }
    }

    @ParameterizedTest(name = "{0} Hz -> 16 kHz, tone at {1} Hz")
    @CsvSource({"44100, 8200", "44100, 9000", "44100, 12000", "44100, 20000", "48000, 8500", "48000, 10000", "48000, 23000",
            "22050, 8300", "22050, 9000", "22050, 11000", "44101, 9000", "96000, 30000"})
    void tonesAboveEightKilohertzAreRemoved(int rate, double hz) {
        float[] x = sine(rate, hz, 0.5, 2.0);
        float[] y = Resampler.to16k(new Audio(x, rate)).samples();
        double db = 20 * Math.log10(rms(y, 4000, 28000) / rms(x, rate / 4, rate * 7 / 4));
        System.out.printf("%d Hz -> 16 kHz, %.0f Hz tone: %.1f dB%n", rate, hz, db);
        assertTrue(db < -60, rate + " Hz, tone " + hz + ": only " + db + " dB");
    }

    /**
     * Issue 13 item 2: ratios whose filter table or output cannot be held in bounded memory are refused in one line
     * at once (2^31-1 Hz to 16 kHz needed a 17-million-tap kernel in 1025 phases: a hang growing past 3.5 GB).
     */
    @Test
    void refusesRatiosBeyondBoundedMemory() {
        float[] x = new float[1000];
        String down = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(SynesthesiaException.class, () -> Resampler.resample(x, Integer.MAX_VALUE, 16000))).getMessage();
        assertTrue(down.startsWith("cannot resample 2147483647 Hz to 16000 Hz:") && !down.contains("\n"), down);
        String up = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(SynesthesiaException.class, () -> Resampler.to16k(new Audio(new float[176000], 1)))).getMessage();
        assertTrue(up.startsWith("cannot resample 1 Hz to 16000 Hz:"), up);
        assertThrows(SynesthesiaException.class, () -> Resampler.resample(x, 16000, 0)); // a config's rate 0: one line too
        // the extremes the readers accept still work: 768 kHz and an odd rate near it (interpolated phases) down to 16 kHz
        assertEquals(16, Resampler.resample(new float[768], 768000, 16000).length);
        assertEquals(16, Resampler.resample(new float[767], 767999, 16000).length);
        assertEquals(16000, Resampler.resample(new float[1000], 1000, 16000).length);
    }

    @Test
    void identityAt16k() {
        Audio a = new Audio(sine(16000, 1000, 0.3, 0.1), 16000);
        assertSame(a, Resampler.to16k(a));
        assertArrayEquals(a.samples(), Resampler.resample(a.samples(), 16000, 16000));
    }

    @Test
    void upsamplingKeepsTones() {
        float[] y = Resampler.resample(sine(16000, 1000, 0.5, 1.0), 16000, 44100);
        assertEquals(44100, y.length);
        assertEquals(0.5, amplitude(y, 44100, 1000, 11025, 33075), 5e-4);
        // exact on the input grid: every 441st output sample is an input sample (t = 160 k)
        float[] x = sine(16000, 1000, 0.5, 1.0);
        for (int k = 10; k < 90; k++) assertEquals(x[160 * k], y[441 * k], 2e-4);
    }

    /** The polyphase table (and the interpolated one) against the kernel evaluated directly at every output time. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100, 16000", "48000, 16000", "22050, 16000", "8000, 16000", "16000, 44100", "44101, 16000", "7, 3", "3, 7"})
    void matchesDirectEvaluation(int from, int to) {
        Random r = new Random(from * 31L + to);
        int n = from > 100 ? 20011 : 57;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * 0.2f;
        float[] got = Resampler.resample(x, from, to);
        float[] ref = direct(x, from, to);
        Assert.close(from + "->" + to, ref, got, 2e-5, 0);
    }

    /** y[m] = sum_k x[k] h(m*from/to - k) / sum_k h(m*from/to - k), h = windowed sinc of the class comment. */
    static float[] direct(float[] x, int from, int to) {
        double r = Math.min(1.0, to / (double) from);
        double beta = 0.1102 * (Resampler.STOPBAND_DB - 8.7);
        double dw = (Resampler.STOPBAND_DB - 7.95) / (2.285 * 2 * Resampler.ZERO_CROSSINGS);
        double cut = r * (1 - dw / (2 * Math.PI)), half = Resampler.ZERO_CROSSINGS / r;
        int k = (int) Math.ceil(half);
        int outLen = (int) (((long) x.length * to + from - 1) / from);
        float[] y = new float[outLen];
        for (int m = 0; m < outLen; m++) {
            double t = m * (double) from / to;
            int i = (int) Math.floor(t);
            double acc = 0, norm = 0;
            for (int j = i - k + 1; j <= i + k; j++) {
                double d = t - j;
                double w = Math.abs(d) >= half ? 0 : Resampler.besselI0(beta * Math.sqrt(1 - d / half * (d / half))) / Resampler.besselI0(beta);
                double h = cut * (d == 0 ? 1 : Math.sin(Math.PI * cut * d) / (Math.PI * cut * d)) * w;
                norm += h;
                if (j >= 0 && j < x.length) acc += h * x[j];
            }
            y[m] = (float) (acc / norm);
        }
        return y;
    }
}
