package org.synesthesia.tensor;

/**
 * A GGUF file being read, as a {@link WeightFormat} without a ggml id sees it (implemented inside
 * {@code io.EncodedTensors}): the file's tensors as stored and the per-tensor keys {@code synesthesia.tensor.NAME.FIELD}
 * of the converted-file contract ({@code weights-converter/FORMAT.md}). The reading side of {@link GgufSink}.
 */
public interface GgufSource {
    /** The file, for messages and {@link StoredTensor#source()}. */
    String description();

    /**
     * The file's tensor {@code name} as stored (a ggml type or I8), or null. A tensor a format reads for a weight
     * under another name than the weight's own (a PAL table) is part of that weight: the file no longer lists it.
     */
    StoredTensor tensor(String name);

    /** The weight's logical shape, key {@code .shape}: 1 to 8 positive dimensions, checked. */
    long[] shape(String name);

    /** Key {@code synesthesia.tensor.NAME.FIELD}, an integer; missing or another type is an {@link #error}. */
    long integer(String name, String field);

    /** An exception for a malformed weight {@code name}: one line naming the file and the tensor. */
    RuntimeException error(String name, String what);
}
