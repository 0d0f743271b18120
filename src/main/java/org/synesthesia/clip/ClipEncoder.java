package org.synesthesia.clip;

import java.util.List;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Linear;
import org.synesthesia.nn.Mlp;
import org.synesthesia.nn.MultiHeadAttention;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.TransformerEncoderLayer;
import org.synesthesia.nn.Weights;

/**
 * transformers' {@code CLIPEncoder}: a stack of pre-norm {@code CLIPEncoderLayer}s
 * ({@link TransformerEncoderLayer} with {@link TransformerEncoderLayer.Names#CLIP} names) on the residual stream
 * h [batch*T, d]. The text tower runs it causal ({@code text_model.encoder}); the vision tower, on patch
 * embeddings with a class token after its pre-LayerNorm, runs it without a mask ({@code vision_model.encoder}).
 *
 * @param name the module name, e.g. {@code text_model.encoder}; layer i is {@code name.layers.i}
 */
public record ClipEncoder(String name, List<TransformerEncoderLayer> layers, boolean causal) {
    public ClipEncoder {
        layers = List.copyOf(layers);
    }

    /**
     * {@code layers} layers of width d, MLP width ff, under {@code name.layers.i}: {@code layer_norm1},
     * {@code self_attn.{q,k,v,out}_proj} [d, d], {@code layer_norm2}, {@code mlp.fc1} [ff, d], {@code mlp.fc2} [d, ff].
     */
    public static ClipEncoder bind(Weights w, String name, int layers, int d, int ff, int heads, Activation act, float eps, boolean causal) {
        TransformerEncoderLayer[] ls = new TransformerEncoderLayer[layers];
        for (int i = 0; i < layers; i++) {
            String p = name + ".layers." + i;
            LayerNorm norm1 = LayerNorm.bind(w, p + ".layer_norm1", d, eps);
            MultiHeadAttention attn = new MultiHeadAttention(Linear.bind(w, p + ".self_attn.q_proj", d, d, true),
                    Linear.bind(w, p + ".self_attn.k_proj", d, d, true), Linear.bind(w, p + ".self_attn.v_proj", d, d, true),
                    Linear.bind(w, p + ".self_attn.out_proj", d, d, true), heads);
            LayerNorm norm2 = LayerNorm.bind(w, p + ".layer_norm2", d, eps);
            Mlp mlp = new Mlp(Linear.bind(w, p + ".mlp.fc1", ff, d, true), act, Linear.bind(w, p + ".mlp.fc2", d, ff, true));
            ls[i] = new TransformerEncoderLayer(norm1, attn, norm2, mlp, true, TransformerEncoderLayer.Names.CLIP.under(p));
        }
        return new ClipEncoder(name, List.of(ls), causal);
    }

    /**
     * Runs the first {@code n} layers on h [batch*T, d] in place, each layer's output reported under its name;
     * a copy of h after each layer is added to {@code keep} if given. Then h is reported under {@link #name}.
     */
    public void forward(float[] h, int batch, int T, int n, Tracer tracer, List<float[]> keep) {
        if (n < 0 || n > layers.size()) throw new IllegalArgumentException(n + " of " + layers.size() + " layers");
        TransformerEncoderLayer.Buffers s = layers.isEmpty() ? null : layers.get(0).buffers(batch * T);
        for (int i = 0; i < n; i++) {
            layers.get(i).forward(h, batch, T, causal, s, tracer);
            if (keep != null) keep.add(h.clone());
        }
        Capture.rows(tracer, name, h, 0, batch, T, h.length / (batch * T));
    }
}
