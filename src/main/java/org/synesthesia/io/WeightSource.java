package org.synesthesia.io;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The tensors of one checkpoint (a file or a folder of files), by their checkpoint names, as views over mapped
 * memory. Readers check structure when they open; nothing is decoded until a tensor is used.
 * Closing releases the mappings: tensors from a closed source must not be used.
 */
public interface WeightSource extends AutoCloseable {
    /** What was opened (a path), for messages. */
    String description();

    /** The file format, e.g. {@code safetensors}, {@code pytorch-zip}, {@code gguf}. */
    String format();

    /** Tensor names in file order. */
    Collection<String> names();

    Optional<StoredTensor> find(String name);

    /** The tensor, or a one-line error naming the file and the missing tensor. */
    default StoredTensor get(String name) {
        return find(name).orElseThrow(() -> new SynesthesiaException(description() + ": no tensor named '" + name + "'"));
    }

    default boolean contains(String name) {
        return find(name).isPresent();
    }

    /** Format metadata as strings (safetensors {@code __metadata__}, GGUF key-values, ...); may be empty. */
    Map<String, String> metadata();

    @Override
    void close();
}
