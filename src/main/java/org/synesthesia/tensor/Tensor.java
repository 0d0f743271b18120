package org.synesthesia.tensor;

import java.util.Arrays;

/**
 * A float32 tensor on the heap: the activations that flow between modules.
 *
 * <p>Element {@code (i0, i1, ...)} is {@code data[offset + i0*strides[0] + i1*strides[1] + ...]}. Tensors made by
 * {@link #of} and {@link #zeros} are contiguous row-major; {@link #permute}, {@link #transpose} and {@link #slice}
 * return views that share {@code data}; {@link #contiguous()} copies a view into fresh row-major storage.
 * Kernels take contiguous tensors (check with {@link #isContiguous()}).
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    private Tensor(float[] data, int[] shape, int[] strides, int offset) {
        this.data = data;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** Wraps {@code data} (not copied) as a contiguous tensor of {@code shape}. */
    public static Tensor of(float[] data, int... shape) {
        long n = numel(shape);
        if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        return new Tensor(data, shape.clone(), rowMajorStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(numel(shape))], shape.clone(), rowMajorStrides(shape), 0);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    public static int[] rowMajorStrides(int... shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The backing array. For a contiguous tensor, elements are {@code data()[offset() .. offset()+size())}. */
    public float[] data() { return data; }
    public int offset() { return offset; }
    public int[] shape() { return shape.clone(); }
    public int[] strides() { return strides.clone(); }
    public int rank() { return shape.length; }

    /** Dimension {@code i}; negative counts from the end. */
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int size() { return (int) numel(shape); }

    public boolean isContiguous() {
        return Arrays.equals(strides, rowMajorStrides(shape)) || size() <= 1;
    }

    public float get(int... idx) { return data[index(idx)]; }

    public void set(float v, int... idx) { data[index(idx)] = v; }

    private int index(int[] idx) {
        if (idx.length != shape.length) throw new IllegalArgumentException("index rank " + idx.length + " for shape " + Arrays.toString(shape));
        int p = offset;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " for shape " + Arrays.toString(shape));
            p += idx[i] * strides[i];
        }
        return p;
    }

    /** Same data, new shape (contiguous tensors only); one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) { if (infer >= 0) throw new IllegalArgumentException("two -1 in reshape"); infer = i; }
            else known *= s[i];
        }
        if (infer >= 0) s[infer] = (int) (size() / known);
        if (numel(s) != size()) throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        Tensor c = isContiguous() ? this : contiguous();
        return new Tensor(c.data, s, rowMajorStrides(s), c.offset);
    }

    /** A view with dimensions reordered: new dimension i is old dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) throw new IllegalArgumentException("permute needs " + shape.length + " axes");
        int[] s = new int[order.length];
        int[] st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            if (seen[order[i]]) throw new IllegalArgumentException("axis repeated in permute " + Arrays.toString(order));
            seen[order[i]] = true;
            s[i] = shape[order[i]];
            st[i] = strides[order[i]];
        }
        return new Tensor(data, s, st, offset);
    }

    public Tensor transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** A view of indices {@code [from, to)} along {@code axis}. */
    public Tensor slice(int axis, int from, int to) {
        if (from < 0 || to > shape[axis] || from > to) throw new IndexOutOfBoundsException("slice [" + from + "," + to + ") of axis " + axis + " size " + shape[axis]);
        int[] s = shape.clone();
        s[axis] = to - from;
        return new Tensor(data, s, strides.clone(), offset + from * strides[axis]);
    }

    /** A contiguous row-major copy (or this tensor, if it is already contiguous and starts at offset 0). */
    public Tensor contiguous() {
        if (isContiguous() && offset == 0 && data.length == size()) return this;
        float[] out = new float[size()];
        copyInto(out, 0);
        return new Tensor(out, shape.clone(), rowMajorStrides(shape), 0);
    }

    /** Copies the elements in row-major order into {@code dst} starting at {@code pos}. */
    public void copyInto(float[] dst, int pos) {
        if (isContiguous()) {
            System.arraycopy(data, offset, dst, pos, size());
            return;
        }
        int rank = shape.length;
        int[] idx = new int[rank];
        int n = size();
        int src = offset;
        for (int i = 0; i < n; i++) {
            dst[pos + i] = data[src];
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                src += strides[d];
                if (idx[d] < shape[d]) break;
                src -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /** The elements in row-major order as a new array. */
    public float[] toArray() {
        float[] out = new float[size()];
        copyInto(out, 0);
        return out;
    }

    public Tensor copy() {
        return new Tensor(toArray(), shape.clone(), rowMajorStrides(shape), 0);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
