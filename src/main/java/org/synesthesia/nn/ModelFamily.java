package org.synesthesia.nn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import org.synesthesia.io.WeightSource;

/**
 * One model family in the registry ({@code META-INF/services/org.synesthesia.nn.ModelFamily}): how to recognise its
 * tensors in a checkpoint and name them canonically, and how to open it for {@code trace}. {@code inspect} and
 * {@code trace} find families here, so a new family registers in this one place.
 */
public interface ModelFamily {
    /** Short name, e.g. {@code whisper}, {@code clip-text}, {@code unet}, {@code vae}, {@code taesd}. */
    String id();

    /** One line: what the family is and which checkpoint layouts it reads. */
    String summary();

    /** Whether {@code source} holds this family's tensors (in any layout the family reads). */
    boolean recognises(WeightSource source);

    /** This family's tensors in {@code source}: canonical name -> stored name (call when {@link #recognises}). */
    NameMapping names(WeightSource source);

    /**
     * The canonical shape of tensor {@code canonicalName} stored as {@code storedShape} (the same elements in the same
     * order, e.g. a Linear weight that a layout stores as a 1x1 convolution): what {@code convert} writes.
     */
    default long[] canonicalShape(String canonicalName, long[] storedShape) {
        return storedShape;
    }

    /**
     * The model at {@code model} for {@code trace}, or empty if it is not this family's.
     *
     * @param part       which part to run when the checkpoint holds several ({@code encoder}, {@code decoder},
     *                   {@code unet}, {@code vae}, ...), or null for the family's default given the inputs
     * @param inputNames names of the tensors in the inputs file, to pick a default part
     */
    Optional<Traceable> traceable(Path model, String part, Set<String> inputNames);

    /** Every registered family, in registration order. */
    static List<ModelFamily> all() {
        List<ModelFamily> out = new ArrayList<>();
        for (ModelFamily f : ServiceLoader.load(ModelFamily.class, ModelFamily.class.getClassLoader())) out.add(f);
        return out;
    }

    /** The registered family {@code id}. */
    static ModelFamily byId(String id) {
        for (ModelFamily f : all()) if (f.id().equals(id)) return f;
        throw new IllegalArgumentException("no model family '" + id + "' is registered");
    }

    /** The registered families whose tensors {@code source} holds. */
    static List<ModelFamily> recognising(WeightSource source) {
        List<ModelFamily> out = new ArrayList<>();
        for (ModelFamily f : all()) if (f.recognises(source)) out.add(f);
        return out;
    }
}
