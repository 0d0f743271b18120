package org.synesthesia.whisper;

import java.util.List;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Conv1d;
import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Linear;
import org.synesthesia.nn.Mlp;
import org.synesthesia.nn.MultiHeadAttention;
import org.synesthesia.nn.TransformerEncoderLayer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Whisper's modules bound to a checkpoint's weights by openai's names ({@link WhisperNames}), checked against the
 * dimensions. Matrices are {@link WeightMatrix} views over the checkpoint's mapped bytes in their stored type
 * (never copied); biases and LayerNorm parameters are small float arrays. Only
 * {@code encoder.positional_embedding} may be absent: it is then computed ({@link #sinusoids}), as openai's
 * model does.
 */
public record WhisperModel(WhisperConfig config, Encoder encoder, Decoder decoder) {

    /**
     * openai's {@code ResidualAttentionBlock} names inside {@code encoder.blocks.i}: {@code attn_ln}, {@code attn}
     * ({@code attn.query/key/value/out}), {@code mlp_ln}, {@code mlp} ({@code mlp.0}, its GELU {@code mlp.1},
     * {@code mlp.2}).
     */
    static final TransformerEncoderLayer.Names BLOCK_NAMES = new TransformerEncoderLayer.Names("", "attn_ln",
            new MultiHeadAttention.Names("attn", "attn.query", "attn.key", "attn.value", null, "attn.out"),
            "mlp_ln", new Mlp.Names("mlp", "mlp.0", "mlp.1", "mlp.2"));

    /**
     * A decoder {@code ResidualAttentionBlock}: pre-norm causal self-attention, cross-attention over the audio,
     * MLP; {@code key} projections have no bias.
     */
    public record DecoderBlock(LayerNorm attnLn, MultiHeadAttention attn, LayerNorm crossAttnLn, MultiHeadAttention crossAttn,
                               LayerNorm mlpLn, Mlp mlp) {}

    /**
     * {@code AudioEncoder}: conv1 [d, n_mels, 3] and conv2 [d, d, 3, stride 2], positional embedding
     * [n_audio_ctx, d], pre-norm blocks ({@code encoder.blocks.i}), ln_post.
     */
    public record Encoder(Conv1d conv1, Conv1d conv2, WeightMatrix positionalEmbedding, List<TransformerEncoderLayer> blocks, LayerNorm lnPost) {}

    /**
     * {@code TextDecoder}: token embedding [n_vocab, d] (also the output projection, tied), learned positional
     * embedding [n_text_ctx, d], blocks, ln.
     */
    public record Decoder(WeightMatrix tokenEmbedding, WeightMatrix positionalEmbedding, List<DecoderBlock> blocks, LayerNorm ln) {}

    /** Binds and checks every tensor of {@code config} in the checkpoint (tensors by openai name, {@link WhisperNames#of}). */
    public static WhisperModel bind(Weights w, WhisperConfig config) {
        Binder b = new Binder(w);
        int d = config.nAudioState();
        Conv1d conv1 = new Conv1d(w.matrix("encoder.conv1.weight", d, config.nMels(), 3), b.bias("encoder.conv1.bias", d), 3, 1, 1);
        Conv1d conv2 = new Conv1d(w.matrix("encoder.conv2.weight", d, d, 3), b.bias("encoder.conv2.bias", d), 3, 2, 1);
        WeightMatrix encPos = w.has("encoder.positional_embedding")
                ? w.matrix("encoder.positional_embedding", config.nAudioCtx(), d)
                : WeightMatrix.of(sinusoids(config.nAudioCtx(), d), config.nAudioCtx(), d);
        TransformerEncoderLayer[] enc = new TransformerEncoderLayer[config.nAudioLayer()];
        for (int i = 0; i < enc.length; i++) {
            String p = "encoder.blocks." + i;
            enc[i] = new TransformerEncoderLayer(b.norm(p + ".attn_ln", d), b.attention(p + ".attn", d, config.nAudioHead()),
                    b.norm(p + ".mlp_ln", d), b.mlp(p + ".mlp", d), true, BLOCK_NAMES.under(p));
        }
        Encoder encoder = new Encoder(conv1, conv2, encPos, List.of(enc), b.norm("encoder.ln_post", d));

        int t = config.nTextState(), heads = config.nTextHead();
        WeightMatrix tok = w.matrix("decoder.token_embedding.weight", config.nVocab(), t);
        WeightMatrix pos = w.matrix("decoder.positional_embedding", config.nTextCtx(), t);
        DecoderBlock[] dec = new DecoderBlock[config.nTextLayer()];
        for (int i = 0; i < dec.length; i++) {
            String p = "decoder.blocks." + i;
            dec[i] = new DecoderBlock(b.norm(p + ".attn_ln", t), b.attention(p + ".attn", t, heads),
                    b.norm(p + ".cross_attn_ln", t), b.attention(p + ".cross_attn", t, heads), b.norm(p + ".mlp_ln", t), b.mlp(p + ".mlp", t));
        }
        Decoder decoder = new Decoder(tok, pos, List.of(dec), b.norm("decoder.ln", t));
        return new WhisperModel(config, encoder, decoder);
    }

    /**
     * openai's {@code sinusoids(length, channels)}: row t is {@code [sin(t*w_0..), cos(t*w_0..)]} with
     * {@code w_i = exp(-i * ln(10000) / (channels/2 - 1))}, i < channels/2; computed in float32 like torch.
     */
    static float[] sinusoids(int length, int channels) {
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

    /** openai's modules from their tensors, shapes checked by {@link Weights}. */
    private record Binder(Weights w) {
        /** A conv bias [n]; ggml files store it as [n, 1], accepted too, as is [1, n]. */
        float[] bias(String openai, int n) {
            StoredTensor st = w.get(openai);
            long[] s = st.shape();
            boolean ok = s.length == 1 && s[0] == n || s.length == 2 && s[0] == n && s[1] == 1 || s.length == 2 && s[0] == 1 && s[1] == n;
            if (!ok) throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString() + ", expected [" + n + "]");
            if (!st.dtype().isFloat() && !st.dtype().isQuantized())
                throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has type " + st.dtype() + ", expected a float type");
            return st.toFloats();
        }

        LayerNorm norm(String prefix, int n) {
            return LayerNorm.bind(w, prefix, n, LayerNorm.DEFAULT_EPS);
        }

        /** query, key (no bias), value, out, each [d, d]. */
        MultiHeadAttention attention(String prefix, int d, int heads) {
            return new MultiHeadAttention(Linear.bind(w, prefix + ".query", d, d, true), Linear.bind(w, prefix + ".key", d, d, false),
                    Linear.bind(w, prefix + ".value", d, d, true), Linear.bind(w, prefix + ".out", d, d, true), heads);
        }

        /** {@code mlp = Sequential(Linear(d, 4d), GELU(), Linear(4d, d))}: {@code mlp.0}, {@code mlp.2}. */
        Mlp mlp(String prefix, int d) {
            return new Mlp(Linear.bind(w, prefix + ".0", 4 * d, d, true), Activation.GELU, Linear.bind(w, prefix + ".2", d, 4 * d, true));
        }
    }
}
