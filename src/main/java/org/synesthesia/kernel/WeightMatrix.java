package org.synesthesia.kernel;

import java.lang.foreign.MemorySegment;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.WeightFormat;

/**
 * A weight as GEMM sees it: {@code rows} output channels by {@code cols} inputs, row-major, in its stored type
 * (F32, F16, BF16, Q8_0, Q4_0, Q8_ROW or PAL; each type's {@link WeightFormat} decodes it). A PyTorch Linear weight
 * [out, in] is used as is; a convolution weight [out, in/groups, kh, kw] is {@code rows = out},
 * {@code cols = in/groups*kh*kw}. Values are never expanded to float32 in memory as a whole: kernels decode small
 * panels with {@link #decodeRow} or {@link #decodePanel}.
 */
public final class WeightMatrix {
    private final String name;
    private final DType dtype;
    private final WeightFormat format;
    private final int rows;
    private final int cols;
    private final MemorySegment data; // null for heap F32
    private final float[] heap;       // F32 on the heap, or null
    private final Palette palette;
    /** For F16: 1 when no value is an infinity or NaN, -1 when one is, 0 not yet scanned. */
    private volatile int finite;

    private WeightMatrix(String name, DType dtype, int rows, int cols, MemorySegment data, float[] heap, Palette palette) {
        this.name = name;
        this.dtype = dtype;
        this.format = dtype.format();
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.heap = heap;
        this.palette = palette;
        format.checkRow(name, cols);
    }

    /** A stored tensor as [shape[0], product of the rest]; types no weight is stored in are decoded to heap F32. */
    public static WeightMatrix of(StoredTensor t) {
        long[] s = t.shape();
        if (s.length == 0) throw new IllegalArgumentException(t.name() + ": a scalar is not a weight matrix");
        int rows = Math.toIntExact(s[0]);
        int cols = Math.toIntExact(rows == 0 ? 0 : t.elements() / rows);
        if (t.dtype().isWeight()) return new WeightMatrix(t.name(), t.dtype(), rows, cols, t.data(), null, t.palette());
        return new WeightMatrix(t.name(), DType.F32, rows, cols, null, t.toFloats(), null);
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
    public WeightFormat format() { return format; }
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
        if (heap != null) System.arraycopy(heap, row * cols + col0, dst, off, len);
        else format.decodeRow(data, palette, cols, row, col0, len, dst, off);
    }

    /**
     * The same values as {@link #decodeRow} for any column range, with the Vector API ({@link WeightFormat#decodeRowVector}):
     * what the fused GEMM kernels call to fill a packing buffer or a row chunk. Only when {@link Simd#available()}.
     * {@code tmp} is scratch of at least 32 values.
     */
    void decodePanel(int row, int col0, int len, float[] dst, int off, float[] tmp) {
        if (len <= 0) return;
        if (heap != null) System.arraycopy(heap, row * cols + col0, dst, off, len);
        else format.decodeRowVector(data, palette, cols, row, col0, len, dst, off, tmp);
    }

    /**
     * For an F16 weight, whether every value is finite (exponent bits below 31): scanned on the first call, then
     * remembered. The lane conversion of {@code FusedGemv} is exact for finite halves only.
     */
    boolean finiteHalves() {
        int f = finite;
        if (f == 0) {
            f = 1;
            long n = data.byteSize() / 2;
            for (long i = 0; i < n; i++)
                if ((data.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0x7c00) == 0x7c00) {
                    f = -1;
                    break;
                }
            finite = f;
        }
        return f > 0;
    }

    /** All values as float32 [rows*cols] (tests and small weights only). */
    public float[] toFloats() {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) decodeRow(r, 0, cols, out, r * cols);
        return out;
    }

    /** Receives row {@code o} of a weight as floats at {@code src[s0, s0 + cols)}. */
    interface RowBody {
        void row(int o, float[] src, int s0);
    }

    /**
     * Calls {@code body} for rows [0, n), parallel in ranges of {@code grain}: a heap F32 weight's rows in place,
     * others decoded into a per-range buffer (valid until the next row of that range).
     */
    void eachRow(int n, int grain, RowBody body) {
        int K = cols;
        Parallel.forRange(n, grain, (o0, o1) -> {
            float[] row = heap != null ? null : new float[K];
            float[] tmp = new float[32];
            for (int o = o0; o < o1; o++) {
                if (heap != null) body.row(o, heap, o * K);
                else {
                    decodePanel(o, 0, K, row, 0, tmp);
                    body.row(o, row, 0);
                }
            }
        });
    }
}
