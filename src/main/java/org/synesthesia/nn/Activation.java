package org.synesthesia.nn;

import java.util.Locale;
import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Parallel;

/** Elementwise activations of transformer MLPs, in place, by their PyTorch module names. */
public enum Activation {
    /** {@code GELU()}: x/2 * (1 + erf(x/sqrt(2))). */
    GELU,
    /** {@code GELU(approximate='tanh')}: x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). */
    GELU_TANH,
    /** CLIP's {@code QuickGELU}: x * sigmoid(1.702 x). */
    QUICK_GELU,
    /** {@code ReLU()}: max(x, 0). */
    RELU,
    /** {@code SiLU()}: x * sigmoid(x). */
    SILU;

    /** In place on {@code x[off, off + n)}, on the calling thread. */
    public void apply(float[] x, int off, int n) {
        switch (this) {
            case GELU -> Act.gelu(x, off, n);
            case GELU_TANH -> Act.geluTanh(x, off, n);
            case QUICK_GELU -> Act.quickGelu(x, off, n);
            case SILU -> Act.silu(x, off, n);
            case RELU -> {
                for (int i = off; i < off + n; i++) if (x[i] < 0) x[i] = 0;
            }
        }
    }

    /** In place on {@code x[0, n)}, split over {@link Parallel} in chunks of {@link Capture#ELEMENT_GRAIN}. */
    public void applyParallel(float[] x, int n) {
        Parallel.forRange(n, Capture.ELEMENT_GRAIN, (from, to) -> apply(x, from, to - from));
    }

    /** From transformers' {@code hidden_act} string, or null if unknown. */
    public static Activation fromHf(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "quick_gelu" -> QUICK_GELU;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            default -> null;
        };
    }
}
