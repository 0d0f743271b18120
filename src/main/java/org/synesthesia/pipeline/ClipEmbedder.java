package org.synesthesia.pipeline;

import java.util.List;

/**
 * The CLIP side of a training pair: one row's input (a caption, or an image path or URL) to its CLIP embedding.
 * {@link ClipTextEmbedder} embeds captions; the image side plugs in here too.
 */
public interface ClipEmbedder extends AutoCloseable {
    /** The model, for notes and shard metadata. */
    String description();

    /** The embedding width. */
    int dim();

    /**
     * The embeddings of {@code inputs} as rows of [inputs.size(), dim()]. An input that cannot be embedded (a dead
     * URL, not an image) is not an error: {@code failures[i]} gets one line saying why and row i is left zero.
     */
    float[] embed(List<String> inputs, String[] failures);

    @Override
    void close();
}
