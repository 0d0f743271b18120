package org.synesthesia.convert;

import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;

/** How one tensor is written: a ggml type as is, Q8_ROW, or a palette (FORMAT.md). */
public sealed interface Encoding {
    /** Bytes of the tensor's data in the file for logical shape {@code shape} (PAL: indices plus its F32 table). */
    long bytes(long[] shape);

    /** A short label for reports: {@code F16}, {@code Q8_0}, {@code Q8_ROW}, {@code PAL4/g64}. */
    String label();

    /** A ggml type (F32, F16, Q8_0, the integer types). */
    record Plain(DType dtype) implements Encoding {
        @Override public long bytes(long[] shape) { return dtype.bytesFor(elements(shape)); }
        @Override public String label() { return dtype.toString(); }
    }

    /** Linear int8 with a float32 scale per output row. */
    record Q8Row() implements Encoding {
        @Override public long bytes(long[] shape) { return shape[0] * DType.q8RowBytes(cols(shape)); }
        @Override public String label() { return "Q8_ROW"; }
    }

    /** k-means palette of {@code 2^bits} entries per {@code groupSize} rows. */
    record Pal(int bits, int groupSize) implements Encoding {
        @Override public long bytes(long[] shape) {
            return shape[0] * Palette.rowBytes(cols(shape), bits) + shape[0] / groupSize * (4L << bits);
        }

        @Override public String label() { return "PAL" + bits + "/g" + groupSize; }
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Product of all but the first dimension. */
    static long cols(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n = Math.multiplyExact(n, shape[i]);
        return n;
    }
}
