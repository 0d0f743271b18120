package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/** Pre-norm (CLIP) and post-norm (BERT) encoder layers against plain double loops, and their capture names. */
class TransformerEncoderLayerTest {
    static final double TOL = 5e-5;

    static TransformerEncoderLayer layer(Random r, int d, int heads, int ff, Activation act, boolean preNorm, TransformerEncoderLayer.Names names) {
        Mlp mlp = new Mlp(Reference.linear(r, ff, d, true), act, Reference.linear(r, d, ff, true));
        return new TransformerEncoderLayer(Reference.norm(r, d), Reference.attention(r, d, heads), Reference.norm(r, d), mlp, preNorm, names);
    }

    @Test
    void preNormAsClip() {
        Random r = new Random(21);
        int batch = 2, T = 19, d = 20, heads = 4, ff = 44, rows = batch * T;
        TransformerEncoderLayer l = layer(r, d, heads, ff, Activation.QUICK_GELU, true, TransformerEncoderLayer.Names.CLIP.under("enc.layers.3"));
        float[] h = Reference.random(r, rows * d, 1), expected = h.clone();
        // h = h + attn(norm1(h)); h = h + mlp(norm2(h))
        Reference.addInPlace(expected, Reference.selfAttention(Reference.layerNorm(expected, rows, l.norm1()), batch, T, l.attention(), true));
        Reference.addInPlace(expected, Reference.mlp(Reference.layerNorm(expected, rows, l.norm2()), rows, l.mlp()));
        Tracer t = Tracer.of("**");
        l.forward(h, batch, T, true, l.buffers(rows + 5), t);
        Assert.close("pre-norm layer", expected, h, TOL, TOL);
        String p = "enc.layers.3.";
        assertEquals(List.of(p + "layer_norm1", p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj", p + "self_attn.out_proj",
                p + "self_attn", p + "layer_norm2", p + "mlp.fc1", p + "mlp.activation_fn", p + "mlp.fc2", p + "mlp", "enc.layers.3"),
                List.copyOf(t.captured().keySet()));
        Assert.close("captured layer", expected, t.captured().get("enc.layers.3").toArray(), TOL, TOL);
    }

    @Test
    void postNormAsBert() {
        Random r = new Random(22);
        int batch = 3, T = 11, d = 12, heads = 3, ff = 29, rows = batch * T;
        TransformerEncoderLayer l = layer(r, d, heads, ff, Activation.GELU, false, TransformerEncoderLayer.Names.BERT.under("encoder.layer.0"));
        float[] h = Reference.random(r, rows * d, 1), x = h.clone();
        // h = norm1(h + attn(h)); h = norm2(h + mlp(h))
        float[] a = postNormFirstHalf(x, Reference.selfAttention(x, batch, T, l.attention(), false), rows, l);
        float[] expected = postNormSecondHalf(a, rows, l);
        Tracer t = Tracer.of("**");
        l.forward(h, batch, T, false, l.buffers(rows), t);
        Assert.close("post-norm layer", expected, h, TOL, TOL);
        String p = "encoder.layer.0.";
        assertEquals(List.of(p + "attention.self.query", p + "attention.self.key", p + "attention.self.value", p + "attention.self",
                p + "attention.output.dense", p + "attention.output.LayerNorm", p + "intermediate.dense", p + "intermediate",
                p + "output.dense", p + "output.LayerNorm", "encoder.layer.0"), List.copyOf(t.captured().keySet()));
        Assert.close("attention.output.LayerNorm", a, t.captured().get(p + "attention.output.LayerNorm").toArray(), TOL, TOL);
    }

    /** Post-norm with a key padding mask: a prefix mask (padding at the end) and a mask with holes, against an additive mask. */
    @Test
    void postNormWithKeyPaddingMask() {
        Random r = new Random(24);
        int batch = 3, T = 13, d = 12, heads = 3, ff = 30, rows = batch * T;
        TransformerEncoderLayer l = layer(r, d, heads, ff, Activation.GELU, false, TransformerEncoderLayer.Names.BERT.under("encoder.layer.0"));
        boolean[] mask = new boolean[rows];
        for (int t = 0; t < 5; t++) mask[t] = true; // sequence 0: 5 tokens then padding
        for (int t = 0; t < T; t++) mask[T + t] = true; // sequence 1: no padding
        for (int t = 0; t < T; t++) mask[2 * T + t] = t % 3 != 1; // sequence 2: holes
        float[] h = Reference.random(r, rows * d, 1), x = h.clone();
        float[] expected = postNormSecondHalf(postNormFirstHalf(x, Reference.maskedSelfAttention(x, batch, T, l.attention(), mask), rows, l), rows, l);
        l.forward(h, batch, T, false, mask, l.buffers(rows), Tracer.NONE);
        Assert.close("masked post-norm layer", expected, h, TOL, TOL);
    }

    /** Several layers share one set of buffers; results do not depend on the buffers' earlier contents. */
    @Test
    void stackOfLayersSharesBuffers() {
        Random r = new Random(23);
        int T = 33, d = 16, heads = 2, ff = 40;
        TransformerEncoderLayer a = layer(r, d, heads, ff, Activation.GELU_TANH, true, TransformerEncoderLayer.Names.CLIP.under("a"));
        TransformerEncoderLayer b = layer(r, d, heads, ff, Activation.SILU, true, TransformerEncoderLayer.Names.CLIP.under("b"));
        float[] h = Reference.random(r, T * d, 1), fresh = h.clone();
        TransformerEncoderLayer.Buffers s = a.buffers(T);
        a.forward(h, 1, T, false, s, Tracer.NONE);
        b.forward(h, 1, T, false, s, Tracer.NONE);
        a.forward(fresh, 1, T, false, a.buffers(T), Tracer.NONE);
        b.forward(fresh, 1, T, false, b.buffers(T), Tracer.NONE);
        Assert.close("shared buffers", fresh, h, 0, 0);
    }

    /** Post-norm's first half: {@code norm1(x + attn)} ({@code x} is overwritten with the sum). */
    private static float[] postNormFirstHalf(float[] x, float[] attn, int rows, TransformerEncoderLayer l) {
        Reference.addInPlace(x, attn);
        return Reference.layerNorm(x, rows, l.norm1());
    }

    /** Post-norm's second half: {@code norm2(a + mlp(a))}. */
    private static float[] postNormSecondHalf(float[] a, int rows, TransformerEncoderLayer l) {
        float[] m = a.clone();
        Reference.addInPlace(m, Reference.mlp(a, rows, l.mlp()));
        return Reference.layerNorm(m, rows, l.norm2());
    }
}
