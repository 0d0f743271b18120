package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.jtransforms.fft.DoubleFFT_1D;
import org.synesthesia.io.Npy;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** Parity with whisper's log_mel_spectrogram (golden whisper_mel) and librosa's mel filters. */
class LogMelTest {
    /** README: fp32-vs-fp64 at most 2.3e-5; suggested Java tolerance 1e-4 absolute. */
    static final double TOL = 1e-4;
    static Map<String, Tensor> golden;

    @BeforeAll
    static void load() {
        golden = SafeTensors.readAll(SharedData.golden("whisper_mel", "whisper_mel.safetensors"));
    }

    @ParameterizedTest(name = "mel{0}.{1}.transcribe")
    @CsvSource({"80, synth", "80, jfk", "128, synth", "128, jfk"})
    void transcribeVariantMatchesGolden(int nMels, String signal) {
        float[] audio = golden.get("audio." + signal).toArray();
        Tensor full = LogMel.forTranscription(audio, nMels);
        int content = LogMel.contentFrames(audio.length);
        assertEquals(signal.equals("synth") ? 700 : 1100, content);
        assertArrayEquals(new int[] {nMels, content + 3000}, full.shape());
        Tensor win = LogMel.window(full, 0, content);
        Tensor expected = golden.get("mel" + nMels + "." + signal + ".transcribe");
        System.out.printf("mel%d.%s.transcribe: max |diff| %.3g%n", nMels, signal, Assert.maxAbsDiff(expected.toArray(), win.toArray()));
        Assert.close("mel" + nMels + "." + signal + ".transcribe", expected, win, TOL);
        Assert.close("firstWindow", expected, LogMel.firstWindow(audio, nMels), TOL);
        // the padding frames are exactly 0.0
        float[] w = win.toArray();
        for (int m = 0; m < nMels; m++)
            for (int t = content; t < 3000; t++) assertEquals(0f, w[m * 3000 + t]);
    }

    @ParameterizedTest(name = "mel80.{0}.padded_audio")
    @CsvSource({"synth", "jfk"})
    void paddedAudioVariantMatchesGolden(String signal) {
        float[] audio = golden.get("audio." + signal).toArray();
        Tensor mel = LogMel.compute(LogMel.padOrTrim(audio, LogMel.CHUNK_SAMPLES), 80);
        assertArrayEquals(new int[] {80, 3000}, mel.shape());
        System.out.printf("mel80.%s.padded_audio: max |diff| %.3g%n", signal, Assert.maxAbsDiff(golden.get("mel80." + signal + ".padded_audio").toArray(), mel.toArray()));
        Assert.close("mel80." + signal + ".padded_audio", golden.get("mel80." + signal + ".padded_audio"), mel, TOL);
    }

    @Test
    void goldenAudioJfkIsJfkWavOverInt16() {
        Audio wav = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        assertEquals(16000, wav.sampleRate());
        assertArrayEquals(golden.get("audio.jfk").toArray(), wav.samples());
    }

    @ParameterizedTest
    @CsvSource({"80", "128"})
    void melFiltersMatchLibrosaAsShipped(int nMels) {
        Tensor ours = MelFilters.whisper(nMels);
        assertArrayEquals(new int[] {nMels, 201}, ours.shape());
        Map<String, Tensor> npz = Npy.readNpz(SharedData.data("mel/mel_filters.npz"));
        Tensor shipped = npz.get("mel_" + nMels);
        assertArrayEquals(new int[] {nMels, 201}, shipped.shape());
        assertArrayEquals(shipped.toArray(), golden.get("mel_filters." + nMels).toArray(), "golden copy of the npz");
        // same float32 arithmetic as librosa: equal up to a last-bit difference from libm's log/exp
        System.out.printf("mel_filters.%d: max |diff| %.3g%n", nMels, Assert.maxAbsDiff(shipped.toArray(), ours.toArray()));
        Assert.close("mel_filters." + nMels, shipped.toArray(), ours.toArray(), 0, 2e-7);
    }

    @Test
    void melScaleRoundTripsAndIsLinearBelow1kHz() {
        assertEquals(15.0, MelFilters.hzToMel(1000), 1e-12);
        assertEquals(3.0, MelFilters.hzToMel(200), 1e-12);
        for (double hz : new double[] {0, 55, 440, 999, 1000, 3150, 8000})
            assertEquals(hz, MelFilters.melToHz(MelFilters.hzToMel(hz)), 1e-9 * Math.max(1, hz));
    }

    /** The optimised path (sparse filters, zero-frame skip, threads) against a direct transcription of the recipe. */
    @Test
    void matchesPlainReferenceOnRandomAudio() {
        Random rnd = new Random(7);
        for (int n : new int[] {201, 333, 4000, 16007}) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * 0.1 * (i % 997 < 500 ? 1 : 0));
            for (int pad : new int[] {0, 1000}) {
                Tensor got = LogMel.compute(a, 80, pad);
                float[] ref = reference(a, 80, pad);
                Assert.close("n=" + n + " pad=" + pad, ref, got.toArray(), 1e-6, 0);
            }
        }
    }

    /** Past 30 s: later windows are slices of the one padded spectrogram, clamped by its global maximum. */
    @Test
    void laterWindowsOfLongAudio() {
        float[] jfk = golden.get("audio.jfk").toArray();
        float[] four = new float[4 * jfk.length]; // 44 s
        for (int i = 0; i < four.length; i++) four[i] = jfk[i % jfk.length] * (i < jfk.length ? 0.25f : 1f);
        Tensor full = LogMel.forTranscription(four, 80);
        int content = LogMel.contentFrames(four.length);
        assertEquals(4400, content);
        assertArrayEquals(new int[] {80, 7400}, full.shape());
        Tensor second = LogMel.window(full, 3000, content);
        float[] f = full.toArray(), w = second.toArray();
        for (int m = 0; m < 80; m++)
            for (int t = 0; t < 3000; t++) assertEquals(t < 1400 ? f[m * 7400 + 3000 + t] : 0f, w[m * 3000 + t]);
        // the quieter first 11 s share the louder rest's clamp (12 dB higher): on its frames the first window
        // differs from the log-mel of those 11 s alone exactly where the floors differ
        float[] alone = LogMel.firstWindow(java.util.Arrays.copyOf(four, jfk.length), 80).toArray();
        float[] first = LogMel.window(full, 0, content).toArray();
        float floorAlone = Float.POSITIVE_INFINITY, floorFull = Float.POSITIVE_INFINITY;
        for (int m = 0; m < 80; m++)
            for (int t = 0; t < 1000; t++) {
                floorAlone = Math.min(floorAlone, alone[m * 3000 + t]);
                floorFull = Math.min(floorFull, first[m * 3000 + t]);
            }
        assertEquals(Math.log10(16) / 4, floorFull - floorAlone, 1e-3);
        for (int m = 0; m < 80; m++)
            for (int t = 0; t < 1000; t++)
                if (alone[m * 3000 + t] > floorFull + 1e-3) assertEquals(alone[m * 3000 + t], first[m * 3000 + t], 1e-5);
    }

    @Test
    void badInputs() {
        assertThrows(SynesthesiaException.class, () -> LogMel.compute(new float[200], 80));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> LogMel.compute(new float[1000], 64));
        assertTrue(e.getMessage().contains("80 or 128"), e.getMessage());
        // empty audio still gives the first window (all padding)
        Tensor w = LogMel.firstWindow(new float[0], 80);
        assertArrayEquals(new int[] {80, 3000}, w.shape());
        for (float v : w.toArray()) assertEquals(0f, v);
    }

    /** log_mel_spectrogram written out plainly: dense filters, every frame through the FFT, one thread. */
    static float[] reference(float[] audio, int nMels, int padding) {
        int len = audio.length + padding, frames = len / 160;
        double[] x = new double[len + 400];
        for (int i = 0; i < len + 400; i++) {
            int q = i - 200;
            if (q < 0) q = -q;
            if (q >= len) q = 2 * (len - 1) - q;
            x[i] = q < audio.length ? audio[q] : 0;
        }
        float[] filt = MelFilters.whisper(nMels).toArray();
        double[][] logSpec = new double[nMels][frames];
        DoubleFFT_1D fft = new DoubleFFT_1D(400);
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < frames; t++) {
            double[] re = new double[800];
            for (int k = 0; k < 400; k++) re[2 * k] = x[t * 160 + k] * (0.5 - 0.5 * Math.cos(2 * Math.PI * k / 400));
            fft.complexForward(re);
            for (int m = 0; m < nMels; m++) {
                double s = 0;
                for (int k = 0; k <= 200; k++) s += filt[m * 201 + k] * (re[2 * k] * re[2 * k] + re[2 * k + 1] * re[2 * k + 1]);
                logSpec[m][t] = Math.log10(Math.max(s, 1e-10));
                max = Math.max(max, logSpec[m][t]);
            }
        }
        float[] out = new float[nMels * frames];
        for (int m = 0; m < nMels; m++)
            for (int t = 0; t < frames; t++) out[m * frames + t] = (float) ((Math.max(logSpec[m][t], max - 8) + 4) / 4);
        return out;
    }
}
