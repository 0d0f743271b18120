package org.synesthesia.tensor;

import java.util.Arrays;

/**
 * A type ggml has no id for (Q8_ROW, PAL). A GGUF file holds such a weight as the converted-file contract says
 * ({@code weights-converter/FORMAT.md}): an I8 tensor [rows, row bytes] under the weight's name, keys
 * {@code synesthesia.tensor.NAME.encoding} and {@code .shape} (the logical shape), and whatever else the type needs.
 */
abstract class EncodedFormat implements WeightFormat {
    @Override public int ggmlType() { return -1; }

    @Override public abstract String ggufEncoding();

    @Override public abstract StoredTensor readGguf(GgufSource file, String name);

    /** {@code shape[0]}, checked: an encoded weight has at least 2 dimensions, all positive. */
    static long rows(String name, long[] shape) {
        if (shape.length < 2) throw new IllegalArgumentException(name + ": an encoded weight needs at least 2 dimensions, got " + Arrays.toString(shape));
        for (long d : shape) if (d <= 0) throw new IllegalArgumentException(name + ": bad shape " + Arrays.toString(shape));
        return shape[0];
    }

    /** Product of all but the first dimension. */
    static long cols(long[] shape) {
        long c = 1;
        for (int i = 1; i < shape.length; i++) c = Math.multiplyExact(c, shape[i]);
        return c;
    }

    /** The {@code .encoding} and {@code .shape} keys. */
    void encodingKeys(GgufSink sink, String name, long[] shape) {
        sink.key(name, "encoding", ggufEncoding());
        sink.key(name, "shape", shape.clone());
    }

    /** The I8 tensor {@code name} holding the weight's rows, checked to be {@code [rows, rowBytes]}. */
    static StoredTensor rowsTensor(GgufSource file, String name, long rows, long rowBytes) {
        StoredTensor t = file.tensor(name);
        if (t == null) throw file.error(name, "encoded tensor has metadata but no I8 tensor " + name);
        if (t.dtype() != DType.I8) throw file.error(name, "encoded tensor is stored as " + t.dtype() + " (must be I8)");
        long[] expected = {rows, rowBytes};
        if (!Arrays.equals(t.shape(), expected))
            throw file.error(name, "stored I8 shape " + t.shapeString() + " does not match " + rows + " rows x " + rowBytes + " bytes " + Arrays.toString(expected));
        if (t.data().byteSize() != Math.multiplyExact(rows, rowBytes))
            throw file.error(name, "stored " + t.data().byteSize() + " bytes, expected " + rows * rowBytes);
        return t;
    }
}
