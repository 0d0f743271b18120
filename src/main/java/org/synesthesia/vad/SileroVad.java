package org.synesthesia.vad;

import java.nio.file.Path;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Conv1d;
import org.synesthesia.nn.LstmCell;
import org.synesthesia.nn.Weights;

/**
 * Silero VAD v6 at 16 kHz (snakers4/silero-vad): one speech probability per 32 ms window of 512 samples.
 *
 * <p>Per window: x [576] = the last 64 samples of the previous input (zeros at the start) followed by the window,
 * reflect-padded by 64 on the right to [640]; STFT as conv1d (258 filters of 256 taps, stride 128) -> [258, 4];
 * magnitude {@code sqrt(re^2 + im^2)} of 129 bins -> [129, 4]; encoder: four conv1d k3 pad 1 (strides 1, 2, 2, 1),
 * each followed by ReLU, -> [128, 1]; LSTMCell(128) on each time step with (h, c) carried across windows;
 * decoder: ReLU, 1x1 conv 128 -> 1, sigmoid, mean over time.
 *
 * <p>The convolution and LSTM weights stay views over the mapped checkpoint; keep its source open while in use.
 */
public final class SileroVad {
    public static final int SAMPLE_RATE = 16000;
    public static final int WINDOW = 512;
    public static final int CONTEXT = 64;
    static final int BINS = 129;
    static final int HIDDEN = 128;

    private final Conv1d stft;
    private final Conv1d[] encoder = new Conv1d[4];
    private final LstmCell rnn;
    private final Conv1d head;
    private final float[] headWeight; // [128], the 1x1 conv's weight decoded once
    private final float headBias;

    public SileroVad(Weights w) {
        stft = new Conv1d(w.matrix("stft.forward_basis_buffer", 2L * BINS, 1, 256), null, 256, 128, 0);
        int[][] io = {{128, BINS}, {64, 128}, {64, 64}, {128, 64}};
        int[] strides = {1, 2, 2, 1};
        for (int i = 0; i < 4; i++)
            encoder[i] = Conv1d.bind(w, "encoder." + i + ".reparam_conv", io[i][0], io[i][1], 3, strides[i], 1);
        rnn = LstmCell.bind(w, "decoder.rnn", HIDDEN, HIDDEN);
        head = Conv1d.bind(w, "decoder.decoder.2", 1, HIDDEN, 1, 1, 0);
        headWeight = head.weight().toFloats();
        headBias = head.bias()[0];
    }

    /** The checkpoint's names as stored (the module's without {@code model.}); a leading {@code model.} is also accepted. */
    public static Weights weights(WeightSource source) {
        String prefix = source.names().contains("model.stft.forward_basis_buffer") ? "model." : "";
        return Weights.prefixed("Silero VAD", source, prefix);
    }

    /** Opens a checkpoint (safetensors or any format {@link WeightSources} reads); close the source after use. */
    public static WeightSource open(Path file) {
        return WeightSources.open(file);
    }

    /** The streaming state: the LSTM's (h, c) and the last {@link #CONTEXT} samples of the previous input. */
    public static final class State {
        final float[] h = new float[HIDDEN];
        final float[] c = new float[HIDDEN];
        final float[] context = new float[CONTEXT];

        /** h, then c (the ONNX wrapper's state [2, 1, 128]). */
        public float[] hc() {
            float[] s = new float[2 * HIDDEN];
            System.arraycopy(h, 0, s, 0, HIDDEN);
            System.arraycopy(c, 0, s, HIDDEN, HIDDEN);
            return s;
        }
    }

    public State newState() {
        return new State();
    }

    /** The speech probability of samples [from, from + 512) of {@code audio} (zeros past its end); advances {@code s}. */
    public float window(float[] audio, int from, State s) {
        float[] x = new float[CONTEXT + WINDOW + CONTEXT];
        System.arraycopy(s.context, 0, x, 0, CONTEXT);
        int n = Math.max(0, Math.min(WINDOW, audio.length - from));
        System.arraycopy(audio, from, x, CONTEXT, n);
        int last = CONTEXT + WINDOW - 1;
        for (int j = 1; j <= CONTEXT; j++) x[last + j] = x[last - j]; // reflect pad right
        System.arraycopy(x, last + 1 - CONTEXT, s.context, 0, CONTEXT);
        return forward(x, s);
    }

    /** One probability per 512-sample window of 16 kHz audio, the last window zero-padded; state from zeros. */
    public float[] probabilities(float[] audio) {
        State s = newState();
        int windows = (audio.length + WINDOW - 1) / WINDOW;
        float[] p = new float[windows];
        // each window is a few small products: one thread for the whole stream beats fanning every one out
        org.synesthesia.kernel.Parallel.serially(() -> {
            for (int i = 0; i < windows; i++) p[i] = window(audio, i * WINDOW, s);
        });
        org.synesthesia.tensor.Finite.check(p, "silero vad speech probabilities");
        return p;
    }

    /** x [640] (context, window, reflect padding) -> probability, (h, c) of {@code s} advanced. */
    float forward(float[] x, State s) {
        int t = stft.outLength(x.length);
        float[] spec = stft.forwardStep(x, x.length); // [258, T]: real parts, then imaginary
        float[] y = new float[BINS * t];
        for (int i = 0; i < BINS * t; i++) {
            float r = spec[i], im = spec[BINS * t + i];
            y[i] = (float) Math.sqrt(r * r + im * im);
        }
        int len = t;
        for (Conv1d conv : encoder) {
            y = conv.forwardStep(y, len);
            len = conv.outLength(len);
            for (int i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
        }
        float[] in = new float[HIDDEN];
        double sum = 0;
        for (int k = 0; k < len; k++) {
            for (int j = 0; j < HIDDEN; j++) in[j] = y[j * len + k];
            rnn.step(in, s.h, s.c);
            double z = headBias;
            for (int j = 0; j < HIDDEN; j++) z += headWeight[j] * Math.max(0f, s.h[j]);
            sum += 1 / (1 + Math.exp(-z));
        }
        return (float) (sum / len);
    }
}
