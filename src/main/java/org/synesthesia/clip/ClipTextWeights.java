package org.synesthesia.clip;

import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The modules of a CLIP text transformer bound by transformers' names ({@link ClipNames#of}), checked against a
 * {@link ClipTextConfig}. The token embedding and the layers' matrices are {@link WeightMatrix} views over the
 * checkpoint's mapped bytes in their stored type; biases, LayerNorm parameters and the position embedding
 * [positions, width] are small float arrays.
 */
public record ClipTextWeights(WeightMatrix tokenEmbedding, float[] positionEmbedding, ClipEncoder encoder, LayerNorm finalLayerNorm) {

    /** Binds the first {@code config.numLayers()} layers (a checkpoint may hold more, e.g. OpenCLIP's 24 for SD 2.x's 23). */
    public static ClipTextWeights bind(Weights w, ClipTextConfig c) {
        int present = ClipNames.layerCount(w);
        if (present < c.numLayers())
            throw new SynesthesiaException(w.source().description() + ": has " + present + " CLIP text layers, the config asks for " + c.numLayers());
        int d = c.hiddenSize();
        WeightMatrix tok = w.matrix("text_model.embeddings.token_embedding.weight", c.vocabSize(), d);
        StoredTensor pos = w.get("text_model.embeddings.position_embedding.weight", c.maxPositions(), d);
        float[] posFloats;
        try {
            posFloats = pos.toFloats();
        } catch (RuntimeException e) {
            throw new SynesthesiaException(pos.source() + ": tensor " + pos.name() + ": cannot decode: " + e.getMessage());
        }
        ClipEncoder encoder = ClipEncoder.bind(w, "text_model.encoder", c.numLayers(), d, c.intermediateSize(), c.numHeads(),
                c.activation().function, c.layerNormEps(), true);
        return new ClipTextWeights(tok, posFloats, encoder, LayerNorm.bind(w, "text_model.final_layer_norm", d, c.layerNormEps()));
    }
}
