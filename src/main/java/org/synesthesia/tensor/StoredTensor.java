package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A tensor as a checkpoint stores it: name, type, shape (in PyTorch order, outermost first) and a view of
 * its bytes, usually inside a memory-mapped file. Nothing is copied until a model asks for floats.
 *
 * @param name    the checkpoint's own name, e.g. {@code encoder.blocks.0.attn.query.weight}
 * @param dtype   storage type
 * @param shape   dimensions, outermost first (GGUF's reversed order is already undone)
 * @param data    little-endian bytes, {@code byteSize()} exactly the tensor's size
 * @param palette for {@link DType#PAL} only; null otherwise
 * @param source  the file it came from, for error messages
 */
public record StoredTensor(String name, DType dtype, long[] shape, MemorySegment data, Palette palette, String source) {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    public StoredTensor {
        shape = shape.clone();
        if (dtype == DType.PAL && palette == null) throw new IllegalArgumentException(name + ": PAL tensor without a palette");
    }

    public StoredTensor(String name, DType dtype, long[] shape, MemorySegment data, String source) {
        this(name, dtype, shape, data, null, source);
    }

    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The shape as ints, for tensors whose every dimension fits an int. */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
        return s;
    }

    /** Throws a one-line error naming the file and tensor unless the shape is exactly {@code expected}. */
    public StoredTensor expectShape(long... expected) {
        if (!Arrays.equals(shape, expected))
            throw new org.synesthesia.util.SynesthesiaException(source + ": tensor " + name + " has shape " + shapeString()
                    + ", expected " + Arrays.toString(expected));
        return this;
    }

    /**
     * Decodes all elements to float32 in row-major order. For small tensors (biases, norms, embeddings a model
     * gathers from); large weights are consumed by kernels straight from {@link #data()}.
     */
    public float[] toFloats() {
        int n = Math.toIntExact(elements());
        float[] out = new float[n];
        if (dtype.isWeight()) {
            int rows = shape.length == 0 ? 1 : Math.toIntExact(shape[0]);
            int cols = rows == 0 ? 0 : n / rows;
            dtype.format().decodeAll(data, palette, rows, cols, out);
            return out;
        }
        switch (dtype) {
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) data.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i) & 0xff; }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(I16, i); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i); }
            default -> throw new IllegalStateException("no decoder for " + dtype);
        }
        return out;
    }

    /** Integer types as longs (e.g. int64 {@code position_ids}). */
    public long[] toLongs() {
        int n = Math.toIntExact(elements());
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = data.getAtIndex(I16, i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, i) & 0xff; }
            default -> { float[] f = toFloats(); for (int i = 0; i < n; i++) out[i] = (long) f[i]; }
        }
        return out;
    }

    /** A dense float32 tensor of the same shape (copies; for small tensors and tests). */
    public Tensor toTensor() {
        return Tensor.of(toFloats(), intShape());
    }
}
