package org.synesthesia.nn;

/**
 * A transformer encoder layer on the residual stream h [batch*T, d] (batch sequences of T rows), in place:
 * <pre>
 * pre-norm  (CLIP, openai Whisper's encoder block):  h = h + attn(norm1(h));  h = h + mlp(norm2(h))
 * post-norm (BERT, RoBERTa):                         h = norm1(h + attn(h));  h = norm2(h + mlp(h))
 * </pre>
 * with {@link MultiHeadAttention} self-attention within each sequence (optionally causal) and an {@link Mlp}.
 * Module outputs are reported under {@link Names} (already below the layer's own name, which captures the
 * layer's output); {@link Names#CLIP} and {@link Names#BERT} give the reference's names relative to a layer.
 */
public record TransformerEncoderLayer(LayerNorm norm1, MultiHeadAttention attention, LayerNorm norm2, Mlp mlp,
                                      boolean preNorm, Names names) {
    /**
     * Capture names: the layer's output, the two norms' outputs, the attention's and the MLP's (each null when
     * not reported).
     */
    public record Names(String layer, String norm1, MultiHeadAttention.Names attention, String norm2, Mlp.Names mlp) {
        /** transformers' {@code CLIPEncoderLayer}. */
        public static final Names CLIP = new Names("", "layer_norm1",
                new MultiHeadAttention.Names("self_attn", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", null, "self_attn.out_proj"),
                "layer_norm2", new Mlp.Names("mlp", "mlp.fc1", "mlp.activation_fn", "mlp.fc2"));

        /**
         * transformers' {@code BertLayer} / {@code RobertaLayer} ({@code attention.self} is the attention before
         * its output dense, {@code intermediate} the activation's output, {@code output} the layer's).
         */
        public static final Names BERT = new Names("", "attention.output.LayerNorm",
                new MultiHeadAttention.Names(null, "attention.self.query", "attention.self.key", "attention.self.value", "attention.self", "attention.output.dense"),
                "output.LayerNorm", new Mlp.Names(null, "intermediate.dense", "intermediate", "output.dense"));

        /** These names below {@code prefix}, the layer's own name (an empty name is the prefix itself). */
        public Names under(String prefix) {
            return new Names(Mlp.join(prefix, layer), Mlp.join(prefix, norm1), attention.under(prefix), Mlp.join(prefix, norm2), mlp.under(prefix));
        }
    }

    /** Activations of one forward pass, reused by every layer of a stack: rows x width, and rows x MLP width. */
    public static final class Buffers {
        final int rows;
        final float[] normed, q, k, v, att, out, hidden;

        public Buffers(int rows, int width, int mlpWidth) {
            this.rows = rows;
            int n = rows * width;
            normed = new float[n];
            q = new float[n];
            k = new float[n];
            v = new float[n];
            att = new float[n];
            out = new float[n];
            hidden = new float[rows * mlpWidth];
        }
    }

    public TransformerEncoderLayer {
        int d = norm1.dim();
        if (norm2.dim() != d || attention.query().in() != d || attention.out().out() != d || mlp.fc1().in() != d || mlp.fc2().out() != d)
            throw new IllegalArgumentException("transformer layer of width " + d + ": attention " + attention.query().in() + " -> " + attention.out().out()
                    + ", norm2 " + norm2.dim() + ", MLP " + mlp.fc1().in() + " -> " + mlp.fc2().out());
    }

    public int width() {
        return norm1.dim();
    }

    /** Buffers for {@code rows} rows of this layer (and of any layer of the same widths). */
    public Buffers buffers(int rows) {
        return new Buffers(rows, width(), mlp.hidden());
    }

    /** Runs the layer on h [batch*T, d] in place; {@code s} holds at least batch*T rows. */
    public void forward(float[] h, int batch, int T, boolean causal, Buffers s, Tracer tracer) {
        forward(h, batch, T, causal, null, s, tracer);
    }

    /**
     * As above, the attention restricted by a key padding mask when {@code keyMask} [batch*T] is not null (BERT's
     * {@code attention_mask}; see {@link MultiHeadAttention#attend(float[], float[], float[], float[], int, int, boolean[])}).
     */
    public void forward(float[] h, int batch, int T, boolean causal, boolean[] keyMask, Buffers s, Tracer tracer) {
        int rows = batch * T, d = width(), n = rows * d;
        if (s.rows < rows) throw new IllegalArgumentException("buffers of " + s.rows + " rows for " + rows);
        if (preNorm) {
            norm1.forward(h, s.normed, rows);
            Capture.rows(tracer, names.norm1(), s.normed, 0, batch, T, d);
            attention.forward(s.normed, batch, T, causal, keyMask, s.q, s.k, s.v, s.att, s.out, tracer, names.attention());
            Residual.add(h, s.out, n);
            norm2.forward(h, s.normed, rows);
            Capture.rows(tracer, names.norm2(), s.normed, 0, batch, T, d);
            mlp.forward(s.normed, batch, T, s.hidden, s.out, tracer, names.mlp());
            Residual.add(h, s.out, n);
        } else {
            attention.forward(h, batch, T, causal, keyMask, s.q, s.k, s.v, s.att, s.out, tracer, names.attention());
            Residual.add(s.out, h, n);
            norm1.forward(s.out, h, rows);
            Capture.rows(tracer, names.norm1(), h, 0, batch, T, d);
            mlp.forward(h, batch, T, s.hidden, s.out, tracer, names.mlp());
            Residual.add(s.out, h, n);
            norm2.forward(s.out, h, rows);
            Capture.rows(tracer, names.norm2(), h, 0, batch, T, d);
        }
        Capture.rows(tracer, names.layer(), h, 0, batch, T, d);
    }
}
