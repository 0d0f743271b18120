package org.synesthesia.clip;

import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Linear;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The modules of a CLIP vision transformer bound by transformers' names ({@link ClipVisionNames#of}), checked
 * against a {@link ClipVisionConfig}. The patch convolution's, the layers' and the projection's matrices are views
 * over the checkpoint's mapped bytes in their stored type; the class embedding [d], the position embedding
 * [1 + grid^2, d], biases and LayerNorm parameters are small float arrays.
 *
 * @param patchEmbedding    {@code vision_model.embeddings.patch_embedding}, Conv2d(C, d, kernel = stride = patch, no bias),
 *                          as the Linear it is on non-overlapping patches: weight [d, C*patch*patch] (the
 *                          convolution's [d, C, patch, patch], same bytes), no bias
 * @param classEmbedding    [d]
 * @param positionEmbedding [1 + grid^2, d] row-major
 * @param preLayrnorm       {@code vision_model.pre_layrnorm} (transformers' spelling)
 * @param visualProjection  [projection_dim, d], no bias
 */
public record ClipVisionWeights(Linear patchEmbedding, float[] classEmbedding, float[] positionEmbedding, LayerNorm preLayrnorm,
                                ClipEncoder encoder, LayerNorm postLayernorm, Linear visualProjection) {

    /** Binds the first {@code config.numLayers()} layers (a checkpoint may hold more). */
    public static ClipVisionWeights bind(Weights w, ClipVisionConfig c) {
        int present = ClipVisionNames.layerCount(w);
        if (!w.isRandom() && present < c.numLayers())
            throw new SynesthesiaException(w.source().description() + ": has " + present + " CLIP vision layers, the config asks for " + c.numLayers());
        int d = c.hiddenSize();
        Linear patch = new Linear(w.conv("vision_model.embeddings.patch_embedding.weight", d, c.numChannels(), c.patchSize()), null);
        float[] cls = w.vector("vision_model.embeddings.class_embedding", d);
        StoredTensor pos = w.get("vision_model.embeddings.position_embedding.weight", c.numPositions(), d);
        float[] posFloats;
        try {
            posFloats = pos.toFloats();
        } catch (RuntimeException e) {
            throw new SynesthesiaException(pos.source() + ": tensor " + pos.name() + ": cannot decode: " + e.getMessage());
        }
        LayerNorm pre = LayerNorm.bind(w, "vision_model.pre_layrnorm", d, c.layerNormEps());
        ClipEncoder encoder = ClipEncoder.bind(w, "vision_model.encoder", c.numLayers(), d, c.intermediateSize(), c.numHeads(),
                c.activation().function, c.layerNormEps(), false);
        LayerNorm post = LayerNorm.bind(w, "vision_model.post_layernorm", d, c.layerNormEps());
        Linear proj = Linear.bind(w, "visual_projection", c.projectionDim(), d, false);
        return new ClipVisionWeights(patch, cls, posFloats, pre, encoder, post, proj);
    }
}
