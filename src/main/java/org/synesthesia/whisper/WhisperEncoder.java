package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.TransformerEncoderLayer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * openai's {@code AudioEncoder}, batch size 1:
 * <pre>
 * x = gelu(conv1(mel))            conv1: k3, pad 1             [d, L]
 * x = gelu(conv2(x))              conv2: k3, stride 2, pad 1   [d, ctx], ctx = L/2 (1500 for 30 s)
 * x = x^T + positional_embedding[:ctx]                         [ctx, d]
 * for block: x = x + attn(attn_ln(x)); x = x + mlp(mlp_ln(x))
 * return ln_post(x)                                            [1, ctx, d]
 * </pre>
 * openai requires exactly {@code 2 * n_audio_ctx} mel frames (3000); shorter inputs are accepted too and use
 * the first {@code ctx} positions (as whisper.cpp's reduced audio context), which is not openai's model.
 * The blocks are pre-norm {@link TransformerEncoderLayer}s. Captured module names: {@code encoder.conv1},
 * {@code encoder.conv2} (before GELU), {@code encoder.blocks.i} and inside it {@code attn_ln}, {@code attn}
 * ({@code attn.query/key/value/out}), {@code mlp_ln}, {@code mlp.0} (before GELU), {@code mlp.1}, {@code mlp.2},
 * {@code mlp} (before the residual add), then {@code encoder.ln_post} and {@code encoder}. Stateless: calls may
 * run concurrently; each allocates its own activations.
 */
final class WhisperEncoder {
    private final WhisperConfig config;
    private final WhisperModel.Encoder weights;

    WhisperEncoder(WhisperConfig config, WhisperModel.Encoder weights) {
        this.config = config;
        this.weights = weights;
    }

    /** Audio positions for {@code frames} mel frames: conv2's output length. */
    static int audioContext(int frames) {
        return (frames - 1) / 2 + 1;
    }

    /** mel [1, n_mels, L] or [n_mels, L] -> encoder output [1, ctx, d]. */
    Tensor forward(Tensor mel) {
        return forward(mel, Tracer.NONE);
    }

    public Tensor forward(Tensor mel, Tracer tracer) {
        int[] s = mel.shape();
        boolean ok = s.length == 3 && s[0] == 1 && s[1] == config.nMels() || s.length == 2 && s[0] == config.nMels();
        int frames = s[s.length - 1];
        if (!ok || frames < 2 || audioContext(frames) > config.nAudioCtx())
            throw new SynesthesiaException("whisper encoder: mel has shape " + Arrays.toString(s) + ", expected [1, "
                    + config.nMels() + ", " + 2 * config.nAudioCtx() + "]");
        int d = config.nAudioState();
        Tensor x0 = mel.contiguous().reshape(1, config.nMels(), frames);

        // conv1 + GELU, conv2 + GELU; channel-major [d, L]
        Tensor c1 = weights.conv1().forward(x0);
        tracer.capture("encoder.conv1", c1);
        Activation.GELU.applyParallel(c1.data(), c1.size());
        Tensor c2 = weights.conv2().forward(c1);
        tracer.capture("encoder.conv2", c2);
        Activation.GELU.applyParallel(c2.data(), c2.size());
        int ctx = c2.dim(2);

        // token-major x[t, c] = conv[c, t] + positional_embedding[t, c]
        float[] x = new float[ctx * d], cv = c2.data();
        WeightMatrix pos = weights.positionalEmbedding();
        Parallel.forRange(ctx, 64, (from, to) -> {
            for (int t = from; t < to; t++) {
                pos.decodeRow(t, 0, d, x, t * d);
                for (int c = 0; c < d; c++) x[t * d + c] += cv[c * ctx + t];
            }
        });

        // x = x + attn(attn_ln(x)); x = x + mlp(mlp_ln(x)) per block, on all ctx rows
        TransformerEncoderLayer.Buffers buffers = weights.blocks().isEmpty() ? null : weights.blocks().get(0).buffers(ctx);
        for (TransformerEncoderLayer block : weights.blocks()) block.forward(x, 1, ctx, false, buffers, tracer);

        float[] out = new float[ctx * d];
        weights.lnPost().forward(x, out, ctx);
        Tensor y = Tensor.of(out, 1, ctx, d);
        tracer.capture("encoder.ln_post", y);
        tracer.capture("encoder", y);
        return y;
    }
}
