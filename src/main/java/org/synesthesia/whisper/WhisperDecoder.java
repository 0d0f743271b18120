package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.Mlp;
import org.synesthesia.nn.MultiHeadAttention;
import org.synesthesia.nn.Residual;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * openai's {@code TextDecoder} with its KV cache, batch size 1 per {@link DecoderState}:
 * <pre>
 * x = token_embedding[tokens] + positional_embedding[offset : offset + T]    offset = tokens already cached
 * for block: x = x + attn(attn_ln(x))              causal self-attention over cached + new tokens
 *            x = x + cross_attn(cross_attn_ln(x))  keys/values of the audio ({@link CrossAttentionCache})
 *            x = x + mlp(mlp_ln(x))
 * logits = ln(x) . token_embedding^T               [T, n_vocab], the embedding tied as output projection
 * </pre>
 * Feeding tokens in pieces gives the same logits as one call on all of them (the cache holds the keys and
 * values of earlier tokens). Each sequence is batch size 1; {@link #lastLogits(int[][], DecoderState[], float[])}
 * steps several sequences (beams) in one pass. Captured names (single-sequence calls): {@code decoder.token_embedding} (the raw lookup),
 * {@code decoder.blocks.i} and inside it {@code attn_ln}, {@code attn}, {@code cross_attn_ln},
 * {@code cross_attn}, {@code mlp_ln}, {@code mlp} (attention/MLP outputs before the residual add; inside it
 * {@code mlp.0}, {@code mlp.1}, {@code mlp.2}), then {@code decoder.ln} and {@code decoder} (the logits
 * [1, T, n_vocab]).
 */
public final class WhisperDecoder {
    private final WhisperConfig config;
    private final WhisperModel.Decoder weights;
    /** Capture names per block: the block, attn_ln, attn, cross_attn_ln, cross_attn, mlp_ln (built once). */
    private final String[][] names;
    /** The MLP's capture names per block. */
    private final Mlp.Names[] mlpNames;

    WhisperDecoder(WhisperConfig config, WhisperModel.Decoder weights) {
        this.config = config;
        this.weights = weights;
        this.names = new String[config.nTextLayer()][];
        this.mlpNames = new Mlp.Names[config.nTextLayer()];
        for (int l = 0; l < names.length; l++) {
            String p = "decoder.blocks." + l;
            names[l] = new String[] {p, p + ".attn_ln", p + ".attn", p + ".cross_attn_ln", p + ".cross_attn", p + ".mlp_ln"};
            mlpNames[l] = WhisperModel.BLOCK_NAMES.mlp().under(p);
        }
    }

    WhisperConfig config() {
        return config;
    }

    /** Cross-attention keys and values of every layer for an encoder output [1, ctx, d] or [ctx, d]. */
    public CrossAttentionCache crossAttention(Tensor encoderOutput) {
        int[] s = encoderOutput.shape();
        int d = config.nTextState();
        boolean ok = s.length == 3 && s[0] == 1 && s[2] == d || s.length == 2 && s[1] == d;
        if (!ok) throw new SynesthesiaException("whisper decoder: audio features have shape " + Arrays.toString(s) + ", expected [1, ctx, " + d + "]");
        int ctx = s[s.length - 2];
        float[] xa = encoderOutput.contiguous().toArray();
        int layers = config.nTextLayer();
        float[][] k = new float[layers][], v = new float[layers][];
        for (int l = 0; l < layers; l++) {
            MultiHeadAttention ca = weights.blocks().get(l).crossAttn();
            k[l] = new float[ctx * d];
            v[l] = new float[ctx * d];
            ca.key().forward(xa, ctx, k[l]);
            ca.value().forward(xa, ctx, v[l]);
        }
        return new CrossAttentionCache(ctx, d, k, v);
    }

    /**
     * Bytes one greedy step reads from memory at {@code length} cached tokens on this audio: every weight matrix
     * as stored (per block the self-attention q, k, v, out, the cross-attention q and out, the MLP; the token
     * embedding as output projection) plus the audio's cross-attention keys and values (float32) and the self-
     * attention cache. Vectors (biases, norms) are left out. Divided by the read bandwidth: the step's floor.
     */
    public long bytesPerToken(CrossAttentionCache audio, int length) {
        long b = bytes(weights.tokenEmbedding());
        for (WhisperModel.DecoderBlock blk : weights.blocks()) {
            MultiHeadAttention sa = blk.attn(), ca = blk.crossAttn();
            b += bytes(sa.query().weight()) + bytes(sa.key().weight()) + bytes(sa.value().weight()) + bytes(sa.out().weight());
            b += bytes(ca.query().weight()) + bytes(ca.out().weight());
            b += bytes(blk.mlp().fc1().weight()) + bytes(blk.mlp().fc2().weight());
        }
        long d = config.nTextState(), layers = config.nTextLayer();
        return b + layers * 2L * 4 * d * (audio.length() + (long) length);
    }

    private static long bytes(WeightMatrix w) {
        return w.heap() != null ? 4L * w.heap().length : w.data().byteSize();
    }

    /** A new empty sequence on this audio. */
    public DecoderState newState(CrossAttentionCache audio) {
        return new DecoderState(config, audio);
    }

    /** Appends {@code tokens} to the sequence; returns the logits of every new token, [T * n_vocab] row-major. */
    float[] logits(int[] tokens, DecoderState state) {
        return logits(tokens, state, Tracer.NONE);
    }

    public float[] logits(int[] tokens, DecoderState state, Tracer tracer) {
        float[] out = new float[tokens.length * config.nVocab()];
        forward(new int[][] {tokens}, new DecoderState[] {state}, tracer, false, out);
        return out;
    }

    /**
     * Appends {@code tokens}; returns the logits of the last one only [n_vocab] (one matrix-vector product
     * with the embedding: what sampling needs).
     */
    public float[] lastLogits(int[] tokens, DecoderState state) {
        float[] out = new float[config.nVocab()];
        forward(new int[][] {tokens}, new DecoderState[] {state}, Tracer.NONE, true, out);
        return out;
    }

    /** {@link #lastLogits(int[], DecoderState)} into a caller's array of at least n_vocab values. */
    public void lastLogits(int[] tokens, DecoderState state, float[] out) {
        forward(new int[][] {tokens}, new DecoderState[] {state}, Tracer.NONE, true, out);
    }

    /**
     * Several sequences in one pass (beam search, several candidates): appends {@code tokens[g]} to
     * {@code states[g]} and writes the logits of each sequence's last token to {@code out[g * n_vocab ..]}.
     * Same results as one {@link #lastLogits} call per sequence, but the projections and the output product
     * run once over all the new rows, so each weight is read once per step rather than once per sequence.
     * The states must be distinct objects; they may be on different audio.
     */
    public void lastLogits(int[][] tokens, DecoderState[] states, float[] out) {
        forward(tokens, states, Tracer.NONE, true, out);
    }

    /**
     * The decoder over G sequences: group g contributes its T_g new tokens as rows
     * {@code [row0[g], row0[g] + T_g)} of the activations. Projections and MLPs run on all rows together;
     * self-attention (over the group's KV cache) and cross-attention (over its audio) run per group.
     */
    private void forward(int[][] tokens, DecoderState[] states, Tracer tracer, boolean lastOnly, float[] out) {
        // some sixty small parallel steps per token: helpers spin between them rather than park
        Parallel.spinning(() -> step(tokens, states, tracer, lastOnly, out));
    }

    private void step(int[][] tokens, DecoderState[] states, Tracer tracer, boolean lastOnly, float[] out) {
        int G = states.length, d = config.nTextState(), V = config.nVocab();
        if (tokens.length != G) throw new IllegalArgumentException(tokens.length + " token lists for " + G + " states");
        if (G == 0) throw new IllegalArgumentException("no sequences");
        int[] row0 = new int[G + 1];
        for (int g = 0; g < G; g++) {
            int T = tokens[g].length, off = states[g].length();
            if (T == 0) throw new IllegalArgumentException("no tokens for sequence " + g);
            if (off + T > config.nTextCtx())
                throw new SynesthesiaException("whisper decoder: " + (off + T) + " tokens exceed the text context of " + config.nTextCtx());
            for (int t : tokens[g])
                if (t < 0 || t >= V) throw new SynesthesiaException("whisper decoder: token id " + t + " outside the vocabulary of " + V);
            for (int h = 0; h < g; h++)
                if (states[h] == states[g]) throw new IllegalArgumentException("sequences " + h + " and " + g + " share one state");
            row0[g + 1] = row0[g] + T;
        }
        int R = row0[G], outRows = lastOnly ? G : R;
        if (out.length < (long) outRows * V) throw new IllegalArgumentException("logits buffer of " + out.length + " < " + outRows + " x n_vocab " + V);
        for (int g = 0; g < G; g++) states[g].ensureCapacity(states[g].length() + tokens[g].length);
        LayerBuffers s = states[0].scratch(R);
        float[] x = s.x;

        // x = token_embedding[tokens] + positional_embedding[offset + i]
        WeightMatrix tok = weights.tokenEmbedding(), pos = weights.positionalEmbedding();
        for (int g = 0; g < G; g++)
            for (int i = 0; i < tokens[g].length; i++) tok.decodeRow(tokens[g][i], 0, d, x, (row0[g] + i) * d);
        Capture.rows(tracer, "decoder.token_embedding", x, 0, 1, R, d);
        for (int g = 0; g < G; g++)
            for (int i = 0; i < tokens[g].length; i++) {
                pos.decodeRow(states[g].length() + i, 0, d, s.o, 0);
                int r = (row0[g] + i) * d;
                for (int c = 0; c < d; c++) x[r + c] += s.o[c];
            }

        int n = R * d;
        boolean sameAudio = true;
        for (int g = 1; g < G; g++) sameAudio &= states[g].audio() == states[0].audio();
        for (int l = 0; l < config.nTextLayer(); l++) {
            WhisperModel.DecoderBlock b = weights.blocks().get(l);
            MultiHeadAttention sa = b.attn(), ca = b.crossAttn();
            String[] nm = names[l];

            // self-attention: new keys/values appended to each sequence's cache, causal over cache + new rows
            b.attnLn().forward(x, s.h, R);
            Capture.rows(tracer, nm[1], s.h, 0, 1, R, d);
            sa.query().forward(s.h, R, s.q);
            if (G == 1) {
                sa.key().forward(s.h, R, states[0].keys(l), states[0].length());
                sa.value().forward(s.h, R, states[0].values(l), states[0].length());
            } else {
                sa.key().forward(s.h, R, s.k);
                sa.value().forward(s.h, R, s.v);
                for (int g = 0; g < G; g++) {
                    int off = states[g].length() * d, len = tokens[g].length * d;
                    System.arraycopy(s.k, row0[g] * d, states[g].keys(l), off, len);
                    System.arraycopy(s.v, row0[g] * d, states[g].values(l), off, len);
                }
            }
            for (int g = 0; g < G; g++) {
                int T = tokens[g].length, lk = states[g].length() + T;
                sa.attend(s.q, row0[g] * d, states[g].keys(l), states[g].values(l), s.att, T, lk, true);
            }
            sa.out().forward(s.att, R, s.o);
            Capture.rows(tracer, nm[2], s.o, 0, 1, R, d);
            Residual.add(x, s.o, n);

            // cross-attention over each sequence's audio
            b.crossAttnLn().forward(x, s.h, R);
            Capture.rows(tracer, nm[3], s.h, 0, 1, R, d);
            ca.query().forward(s.h, R, s.q);
            if (sameAudio) { // no mask: every row of every sequence attends to all of the one audio, read once for all
                CrossAttentionCache audio = states[0].audio();
                ca.attend(s.q, 0, audio.keys(l), audio.values(l), s.att, R, audio.length(), false);
            } else {
                for (int g = 0; g < G; g++) {
                    CrossAttentionCache audio = states[g].audio();
                    ca.attend(s.q, row0[g] * d, audio.keys(l), audio.values(l), s.att, tokens[g].length, audio.length(), false);
                }
            }
            ca.out().forward(s.att, R, s.o);
            Capture.rows(tracer, nm[4], s.o, 0, 1, R, d);
            Residual.add(x, s.o, n);

            b.mlpLn().forward(x, s.h, R);
            Capture.rows(tracer, nm[5], s.h, 0, 1, R, d);
            b.mlp().forward(s.h, 1, R, s.m, s.o, tracer, mlpNames[l]);
            Residual.add(x, s.o, n);
            Capture.rows(tracer, nm[0], x, 0, 1, R, d);
        }
        for (int g = 0; g < G; g++) states[g].advance(tokens[g].length);

        // logits = ln(x) . token_embedding^T, only for each sequence's last row when that is all the caller wants
        if (lastOnly) {
            for (int g = 0; g < G; g++) System.arraycopy(x, (row0[g + 1] - 1) * d, s.q, g * d, d);
            weights.ln().forward(s.q, s.h, G);
        } else {
            weights.ln().forward(x, s.h, R);
        }
        Capture.rows(tracer, "decoder.ln", s.h, 0, 1, outRows, d);
        Gemm.linear(s.h, 0, d, outRows, tok, null, out, 0, V);
        if (tracer.wants("decoder")) tracer.capture("decoder", Tensor.of(Arrays.copyOf(out, outRows * V), 1, outRows, V));
    }

    /** Index of the largest value of {@code logits[off, off + n)} (the first, on ties): greedy decoding. */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bv = logits[off];
        for (int i = 1; i < n; i++) {
            float v = logits[off + i];
            if (v > bv) {
                bv = v;
                best = i;
            }
        }
        return best;
    }
}
