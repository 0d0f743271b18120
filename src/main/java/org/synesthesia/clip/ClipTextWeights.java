package org.synesthesia.clip;

import java.util.Arrays;
import java.util.List;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The weights of a CLIP text transformer by transformers' names, checked against a {@link ClipTextConfig}.
 * Matrices (token embedding, projections, MLP) are {@link WeightMatrix} views over the checkpoint's mapped bytes
 * in their stored type; biases, LayerNorm parameters and the position embedding [positions, width] are small
 * float arrays.
 */
public record ClipTextWeights(WeightMatrix tokenEmbedding, float[] positionEmbedding, List<Layer> layers, Norm finalLayerNorm) {

    /** {@code LayerNorm(d)}: weight and bias [d]. */
    public record Norm(float[] weight, float[] bias) {}

    /** {@code Linear(in, out)}: weight [out, in], bias [out]. */
    public record Linear(WeightMatrix weight, float[] bias) {}

    /**
     * {@code CLIPEncoderLayer}: {@code layer_norm1}, {@code self_attn.{q,k,v,out}_proj} [d, d], {@code layer_norm2},
     * {@code mlp.fc1} [intermediate, d], {@code mlp.fc2} [d, intermediate].
     */
    public record Layer(Norm layerNorm1, Linear q, Linear k, Linear v, Linear out, Norm layerNorm2, Linear fc1, Linear fc2) {}

    /** Binds the first {@code config.numLayers()} layers (a checkpoint may hold more, e.g. OpenCLIP's 24 for SD 2.x's 23). */
    public static ClipTextWeights bind(ClipNames names, ClipTextConfig c) {
        if (names.layerCount() < c.numLayers())
            throw new SynesthesiaException(names.description() + ": has " + names.layerCount() + " CLIP text layers, the config asks for " + c.numLayers());
        int d = c.hiddenSize(), ff = c.intermediateSize();
        WeightMatrix tok = matrix(names, "text_model.embeddings.token_embedding.weight", c.vocabSize(), d);
        float[] pos = floats(names, "text_model.embeddings.position_embedding.weight", c.maxPositions(), d);
        Layer[] layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "text_model.encoder.layers." + i + ".";
            layers[i] = new Layer(norm(names, p + "layer_norm1", d),
                    linear(names, p + "self_attn.q_proj", d, d), linear(names, p + "self_attn.k_proj", d, d),
                    linear(names, p + "self_attn.v_proj", d, d), linear(names, p + "self_attn.out_proj", d, d),
                    norm(names, p + "layer_norm2", d),
                    linear(names, p + "mlp.fc1", ff, d), linear(names, p + "mlp.fc2", d, ff));
        }
        return new ClipTextWeights(tok, pos, List.of(layers), norm(names, "text_model.final_layer_norm", d));
    }

    private static StoredTensor tensor(ClipNames names, String hf, long... shape) {
        StoredTensor st = names.get(hf);
        if (!Arrays.equals(st.shape(), shape))
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has shape " + st.shapeString() + ", expected " + Arrays.toString(shape));
        if (!st.dtype().isFloat() && !st.dtype().isQuantized())
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + " has type " + st.dtype() + ", expected a float or quantized type");
        return st;
    }

    private static WeightMatrix matrix(ClipNames names, String hf, long... shape) {
        StoredTensor st = tensor(names, hf, shape);
        try {
            return WeightMatrix.of(st);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": " + e.getMessage());
        }
    }

    private static float[] floats(ClipNames names, String hf, long... shape) {
        StoredTensor st = tensor(names, hf, shape);
        try {
            return st.toFloats();
        } catch (RuntimeException e) {
            throw new SynesthesiaException(st.source() + ": tensor " + st.name() + ": cannot decode: " + e.getMessage());
        }
    }

    private static Norm norm(ClipNames names, String prefix, int d) {
        return new Norm(floats(names, prefix + ".weight", d), floats(names, prefix + ".bias", d));
    }

    private static Linear linear(ClipNames names, String prefix, int out, int in) {
        return new Linear(matrix(names, prefix + ".weight", out, in), floats(names, prefix + ".bias", out));
    }
}
