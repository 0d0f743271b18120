package org.synesthesia.nn;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Recognises a model file or folder and opens it for {@code trace}. Implementations are listed in
 * {@code META-INF/services/org.synesthesia.nn.TraceableFactory}; the first that recognises the path wins.
 */
public interface TraceableFactory {
    /**
     * @param model a checkpoint file or folder
     * @param part  which part to run when the checkpoint holds several (e.g. {@code encoder}, {@code decoder},
     *              {@code unet}, {@code vae}), or null for the factory's default given the inputs
     * @param inputNames names of the tensors in the inputs file, to pick a default part
     * @return the model, or empty if this factory does not recognise the checkpoint
     */
    Optional<Traceable> open(Path model, String part, java.util.Set<String> inputNames);
}
