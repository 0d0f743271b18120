package org.synesthesia.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A GGUF file being written, as a {@link WeightFormat} sees it (implemented inside {@code io.GgufWriter}): tensors of
 * types ggml has an id for, and the per-tensor keys {@code synesthesia.tensor.NAME.FIELD} of the converted-file
 * contract ({@code weights-converter/FORMAT.md}).
 */
public interface GgufSink {
    /** Makes a tensor's bytes when the file is written. */
    @FunctionalInterface
    interface Bytes {
        MemorySegment get() throws IOException;
    }

    /** Adds tensor {@code name} stored as {@code dtype} (a ggml type) of {@code shape} (PyTorch order). */
    void tensor(String name, DType dtype, long[] shape, Bytes data);

    /** Adds key {@code synesthesia.tensor.NAME.FIELD}, a string. */
    void key(String name, String field, String value);

    /** Adds key {@code synesthesia.tensor.NAME.FIELD}, an unsigned 32-bit integer. */
    void key(String name, String field, int value);

    /** Adds key {@code synesthesia.tensor.NAME.FIELD}, an array of unsigned 64-bit integers. */
    void key(String name, String field, long[] values);
}
