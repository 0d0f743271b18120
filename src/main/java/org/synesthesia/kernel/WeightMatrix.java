package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Dequant;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;

/**
 * A weight as GEMM sees it: {@code rows} output channels by {@code cols} inputs, row-major, in its stored type
 * (F32, F16, BF16, Q8_0, Q4_0, Q8_ROW or PAL). A PyTorch Linear weight [out, in] is used as is; a convolution weight
 * [out, in/groups, kh, kw] is {@code rows = out}, {@code cols = in/groups*kh*kw}. Values are never expanded to
 * float32 in memory as a whole: kernels decode small panels with {@link #decodeRow}.
 */
public final class WeightMatrix {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final String name;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final MemorySegment data; // null for heap F32
    private final float[] heap;       // F32 on the heap, or null
    private final Palette palette;

    private WeightMatrix(String name, DType dtype, int rows, int cols, MemorySegment data, float[] heap, Palette palette) {
        this.name = name;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.heap = heap;
        this.palette = palette;
        if ((dtype == DType.Q8_0 || dtype == DType.Q4_0) && cols % dtype.blockSize != 0)
            throw new IllegalArgumentException(name + ": " + dtype + " rows of " + cols + " values are not whole blocks of " + dtype.blockSize);
    }

    /** A stored tensor as [shape[0], product of the rest]. */
    public static WeightMatrix of(StoredTensor t) {
        long[] s = t.shape();
        if (s.length == 0) throw new IllegalArgumentException(t.name() + ": a scalar is not a weight matrix");
        int rows = Math.toIntExact(s[0]);
        int cols = Math.toIntExact(rows == 0 ? 0 : t.elements() / rows);
        return switch (t.dtype()) {
            case F32, F16, BF16, Q8_0, Q4_0, Q8_ROW, PAL -> new WeightMatrix(t.name(), t.dtype(), rows, cols, t.data(), null, t.palette());
            default -> new WeightMatrix(t.name(), DType.F32, rows, cols, null, t.toFloats(), null);
        };
    }

    /** A float32 heap matrix (not copied): element (r, c) is {@code w[r*cols + c]}. */
    public static WeightMatrix of(float[] w, int rows, int cols) {
        if ((long) rows * cols != w.length) throw new IllegalArgumentException(rows + "x" + cols + " needs " + (long) rows * cols + " values, got " + w.length);
        return new WeightMatrix("heap", DType.F32, rows, cols, null, w, null);
    }

    /** A matrix of any stored type over raw bytes (tests, quantizers). */
    public static WeightMatrix of(String name, DType dtype, int rows, int cols, MemorySegment data, Palette palette) {
        return new WeightMatrix(name, dtype, rows, cols, data, null, palette);
    }

    public String name() { return name; }
    public DType dtype() { return dtype; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    /** The raw bytes (null for a heap F32 matrix). */
    public MemorySegment data() { return data; }
    /** The heap values of a heap F32 matrix, else null. */
    public float[] heap() { return heap; }
    public Palette palette() { return palette; }

    /**
     * Decodes {@code len} values of row {@code row} starting at column {@code col0} into {@code dst[off..]}.
     * For block types {@code col0} and {@code len} must be multiples of the block size (32), except that
     * {@code col0 + len} may be {@code cols}. This is the scalar reference every fused kernel is tested against.
     */
    public void decodeRow(int row, int col0, int len, float[] dst, int off) {
        long base = (long) row * cols + col0;
        switch (dtype) {
            case F32 -> {
                if (heap != null) System.arraycopy(heap, (int) base, dst, off, len);
                else MemorySegment.copy(data, F32, base * 4, dst, off, len);
            }
            case F16 -> { for (int i = 0; i < len; i++) dst[off + i] = Float.float16ToFloat(data.getAtIndex(I16, base + i)); }
            case BF16 -> { for (int i = 0; i < len; i++) dst[off + i] = Float.intBitsToFloat((data.getAtIndex(I16, base + i) & 0xffff) << 16); }
            case Q8_0 -> Dequant.q8_0(data, base / 32 * 34, dst, off, len);
            case Q4_0 -> Dequant.q4_0(data, base / 32 * 18, dst, off, len);
            case Q8_ROW -> Dequant.q8Row(data, row, cols, col0, len, dst, off);
            case PAL -> {
                if (col0 == 0 && len == cols) Dequant.palRow(data, palette, row, cols, dst, off);
                else {
                    float[] tmp = new float[cols];
                    Dequant.palRow(data, palette, row, cols, tmp, 0);
                    System.arraycopy(tmp, col0, dst, off, len);
                }
            }
            default -> throw new IllegalStateException("unsupported weight type " + dtype);
        }
    }

    /** All values as float32 [rows*cols] (tests and small weights only). */
    public float[] toFloats() {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) decodeRow(r, 0, cols, out, r * cols);
        return out;
    }
}
