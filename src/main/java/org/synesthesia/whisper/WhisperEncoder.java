package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
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
 * Captured module names: {@code encoder.conv1}, {@code encoder.conv2} (before GELU), {@code encoder.blocks.i}
 * and inside it {@code attn_ln}, {@code attn} ({@code attn.query/key/value/out}), {@code mlp_ln},
 * {@code mlp.0} (before GELU), {@code mlp} (before the residual add), then {@code encoder.ln_post} and
 * {@code encoder}. Stateless: calls may run concurrently; each allocates its own activations.
 */
public final class WhisperEncoder {
    private final WhisperConfig config;
    private final WhisperModel.Encoder weights;

    public WhisperEncoder(WhisperConfig config, WhisperModel.Encoder weights) {
        this.config = config;
        this.weights = weights;
    }

    /** Audio positions for {@code frames} mel frames: conv2's output length. */
    public static int audioContext(int frames) {
        return (frames - 1) / 2 + 1;
    }

    /** mel [1, n_mels, L] or [n_mels, L] -> encoder output [1, ctx, d]. */
    public Tensor forward(Tensor mel) {
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
        Tensor c1 = Conv.conv1d(x0, weights.conv1().weight(), 3, weights.conv1().bias(), 1, 1, 1, 1);
        tracer.capture("encoder.conv1", c1);
        Layers.gelu(c1.data(), c1.size());
        Tensor c2 = Conv.conv1d(c1, weights.conv2().weight(), 3, weights.conv2().bias(), 2, 1, 1, 1);
        tracer.capture("encoder.conv2", c2);
        Layers.gelu(c2.data(), c2.size());
        int ctx = c2.dim(2);

        // token-major x[t, c] = conv[c, t] + positional_embedding[t, c]
        LayerBuffers a = new LayerBuffers(ctx, d);
        float[] x = a.x, cv = c2.data();
        WeightMatrix pos = weights.positionalEmbedding();
        Parallel.forRange(ctx, 64, (from, to) -> {
            for (int t = from; t < to; t++) {
                pos.decodeRow(t, 0, d, x, t * d);
                for (int c = 0; c < d; c++) x[t * d + c] += cv[c * ctx + t];
            }
        });

        for (int i = 0; i < weights.blocks().size(); i++) block(i, a, tracer);

        float[] out = new float[ctx * d];
        Layers.layerNorm(x, out, 0, ctx, d, weights.lnPost());
        Tensor y = Tensor.of(out, 1, ctx, d);
        tracer.capture("encoder.ln_post", y);
        tracer.capture("encoder", y);
        return y;
    }

    /** {@code x = x + attn(attn_ln(x)); x = x + mlp(mlp_ln(x))} on all ctx rows. */
    private void block(int index, LayerBuffers a, Tracer tracer) {
        WhisperModel.Block b = weights.blocks().get(index);
        String p = "encoder.blocks." + index;
        int n = a.rows, d = a.d, size = n * d;
        int heads = config.nAudioHead(), hd = d / heads;

        Layers.layerNorm(a.x, a.h, 0, n, d, b.attnLn());
        Layers.capture(tracer, p + ".attn_ln", a.h, 0, 1, n, d);
        WhisperModel.Attention at = b.attn();
        Layers.linear(a.h, n, at.query(), a.q);
        Layers.linear(a.h, n, at.key(), a.k);
        Layers.linear(a.h, n, at.value(), a.v);
        Layers.capture(tracer, p + ".attn.query", a.q, 0, 1, n, d);
        Layers.capture(tracer, p + ".attn.key", a.k, 0, 1, n, d);
        Layers.capture(tracer, p + ".attn.value", a.v, 0, 1, n, d);
        Layers.attention(a.q, a.k, a.v, a.att, n, n, heads, hd, false);
        Layers.linear(a.att, n, at.out(), a.o);
        Layers.capture(tracer, p + ".attn.out", a.o, 0, 1, n, d);
        Layers.capture(tracer, p + ".attn", a.o, 0, 1, n, d);
        Layers.addInPlace(a.x, a.o, size);

        Layers.layerNorm(a.x, a.h, 0, n, d, b.mlpLn());
        Layers.capture(tracer, p + ".mlp_ln", a.h, 0, 1, n, d);
        Layers.linear(a.h, n, b.mlp().fc1(), a.m);
        Layers.capture(tracer, p + ".mlp.0", a.m, 0, 1, n, 4 * d);
        Layers.gelu(a.m, n * 4 * d);
        Layers.linear(a.m, n, b.mlp().fc2(), a.o);
        Layers.capture(tracer, p + ".mlp", a.o, 0, 1, n, d);
        Layers.addInPlace(a.x, a.o, size);
        Layers.capture(tracer, p, a.x, 0, 1, n, d);
    }

}
