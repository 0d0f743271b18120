package org.synesthesia.pipeline;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model to load: its file or folder ({@code model}), and its tokenizer ({@code tokenizer}; null: found as the
 * loader finds it, inside a converted file or folder, beside the model, or under {@code $SYNESTHESIA_TOKENIZERS}).
 */
public record ModelFiles(Path model, Path tokenizer) {
    public ModelFiles {
        Objects.requireNonNull(model, "model");
    }

    /** {@code model} with its own tokenizer. */
    public static ModelFiles of(Path model) {
        return new ModelFiles(model, null);
    }
}
