package org.synesthesia.whisper;

import java.util.Arrays;
import java.util.List;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Whisper's weights by openai's module names, checked against the dimensions. Matrices are {@link WeightMatrix}
 * views over the checkpoint's mapped bytes in their stored type (never copied); biases and LayerNorm parameters
 * are small float arrays. Only {@code encoder.positional_embedding} may be absent: it is then computed
 * ({@link #sinusoids}), as openai's model does.
 */
public record WhisperModel(WhisperConfig config, Encoder encoder, Decoder decoder) {

    /** {@code LayerNorm(n)}: weight and bias [n]. */
    public record Norm(float[] weight, float[] bias) {}

    /** openai {@code Linear}: weight [out, in], bias [out] or null (the attention key has none). */
    public record Linear(WeightMatrix weight, float[] bias) {}

    /** openai {@code MultiHeadAttention}: query, key (no bias), value, out, each [d, d]. */
    public record Attention(Linear query, Linear key, Linear value, Linear out) {}

    /** {@code mlp = Sequential(Linear(d, 4d), GELU(), Linear(4d, d))}: {@code mlp.0}, {@code mlp.2}. */
    public record Mlp(Linear fc1, Linear fc2) {}

    /** {@code ResidualAttentionBlock}; {@code crossAttn} and {@code crossAttnLn} are null in the encoder. */
    public record Block(Norm attnLn, Attention attn, Norm crossAttnLn, Attention crossAttn, Norm mlpLn, Mlp mlp) {}

    /**
     * {@code AudioEncoder}: conv1 [d, n_mels, 3] and conv2 [d, d, 3] as [d, C*3] matrices, positional
     * embedding [n_audio_ctx, d], blocks, ln_post.
     */
    public record Encoder(Linear conv1, Linear conv2, WeightMatrix positionalEmbedding, List<Block> blocks, Norm lnPost) {}

    /**
     * {@code TextDecoder}: token embedding [n_vocab, d] (also the output projection, tied), learned positional
     * embedding [n_text_ctx, d], blocks, ln.
     */
    public record Decoder(WeightMatrix tokenEmbedding, WeightMatrix positionalEmbedding, List<Block> blocks, Norm ln) {}

    /** Binds and checks every tensor of {@code config} in the indexed checkpoint. */
    public static WhisperModel bind(WhisperNames names, WhisperConfig config) {
        Binder b = new Binder(names);
        int d = config.nAudioState();
        Linear conv1 = new Linear(b.matrix("encoder.conv1.weight", d, config.nMels(), 3), b.vector("encoder.conv1.bias", d));
        Linear conv2 = new Linear(b.matrix("encoder.conv2.weight", d, d, 3), b.vector("encoder.conv2.bias", d));
        WeightMatrix encPos = names.find("encoder.positional_embedding").isPresent()
                ? b.matrix("encoder.positional_embedding", config.nAudioCtx(), d)
                : WeightMatrix.of(sinusoids(config.nAudioCtx(), d), config.nAudioCtx(), d);
        Block[] enc = new Block[config.nAudioLayer()];
        for (int i = 0; i < enc.length; i++) enc[i] = b.block("encoder.blocks." + i, d, false);
        Encoder encoder = new Encoder(conv1, conv2, encPos, List.of(enc), b.norm("encoder.ln_post", d));

        int t = config.nTextState();
        WeightMatrix tok = b.matrix("decoder.token_embedding.weight", config.nVocab(), t);
        WeightMatrix pos = b.matrix("decoder.positional_embedding", config.nTextCtx(), t);
        Block[] dec = new Block[config.nTextLayer()];
        for (int i = 0; i < dec.length; i++) dec[i] = b.block("decoder.blocks." + i, t, true);
        Decoder decoder = new Decoder(tok, pos, List.of(dec), b.norm("decoder.ln", t));
        return new WhisperModel(config, encoder, decoder);
    }

    /**
     * openai's {@code sinusoids(length, channels)}: row t is {@code [sin(t*w_0..), cos(t*w_0..)]} with
     * {@code w_i = exp(-i * ln(10000) / (channels/2 - 1))}, i < channels/2; computed in float32 like torch.
     */
    public static float[] sinusoids(int length, int channels) {
        if (channels % 2 != 0 || channels < 4) throw new IllegalArgumentException("sinusoids need an even channel count >= 4, got " + channels);
        int half = channels / 2;
        float inc = (float) (Math.log(10000) / (half - 1));
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) inv[i] = (float) Math.exp(-inc * (float) i);
        float[] out = new float[length * channels];
        for (int t = 0; t < length; t++)
            for (int i = 0; i < half; i++) {
                float a = (float) t * inv[i];
                out[t * channels + i] = (float) Math.sin(a);
                out[t * channels + half + i] = (float) Math.cos(a);
            }
        return out;
    }

    /** Looks up tensors by openai name and checks shapes, reporting file, stored name, expected and actual shape. */
    private record Binder(WhisperNames names) {
        StoredTensor tensor(String openai, long... shape) {
            StoredTensor st = names.get(openai);
            if (!Arrays.equals(st.shape(), shape))
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString()
                        + ", expected " + Arrays.toString(shape));
            if (!st.dtype().isFloat() && !st.dtype().isQuantized())
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has type " + st.dtype() + ", expected a float or quantized type");
            return st;
        }

        WeightMatrix matrix(String openai, long... shape) {
            try {
                return WeightMatrix.of(tensor(openai, shape));
            } catch (IllegalArgumentException e) {
                StoredTensor st = names.get(openai);
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": " + e.getMessage());
            }
        }

        /** A vector [n]; ggml files store conv biases as [n, 1], accepted too. */
        float[] vector(String openai, int n) {
            StoredTensor st = names.get(openai);
            long[] s = st.shape();
            boolean ok = s.length == 1 && s[0] == n || s.length == 2 && s[0] == n && s[1] == 1 || s.length == 2 && s[0] == 1 && s[1] == n;
            if (!ok) throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString() + ", expected [" + n + "]");
            if (!st.dtype().isFloat() && !st.dtype().isQuantized())
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has type " + st.dtype() + ", expected a float type");
            return st.toFloats();
        }

        Norm norm(String prefix, int n) {
            return new Norm(vector(prefix + ".weight", n), vector(prefix + ".bias", n));
        }

        Linear linear(String prefix, int out, int in, boolean bias) {
            return new Linear(matrix(prefix + ".weight", out, in), bias ? vector(prefix + ".bias", out) : null);
        }

        Attention attention(String prefix, int d) {
            return new Attention(linear(prefix + ".query", d, d, true), linear(prefix + ".key", d, d, false),
                    linear(prefix + ".value", d, d, true), linear(prefix + ".out", d, d, true));
        }

        Block block(String prefix, int d, boolean cross) {
            return new Block(norm(prefix + ".attn_ln", d), attention(prefix + ".attn", d),
                    cross ? norm(prefix + ".cross_attn_ln", d) : null, cross ? attention(prefix + ".cross_attn", d) : null,
                    norm(prefix + ".mlp_ln", d),
                    new Mlp(linear(prefix + ".mlp.0", 4 * d, d, true), linear(prefix + ".mlp.2", d, 4 * d, true)));
        }
    }
}
