package org.synesthesia.tensor;

/**
 * Storage types of stored tensors. Computation is always float32; these say how values sit in memory.
 *
 * <p>The seven types a weight matrix can be stored in (F32, F16, BF16, Q8_0, Q4_0, Q8_ROW, PAL) each have one
 * {@link WeightFormat} class, found by {@link #format()}, that defines its layout, decoders, encoder and GGUF form.
 * The others (F64 and the integer types) are read for small tensors only. Block types store {@code blockSize}
 * values in {@code blockBytes} bytes; Q8_ROW and PAL sizes depend on the row length ({@link WeightFormat#rowBytes}).
 */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8),
    I8(1), U8(1), I16(2), I32(4), I64(8), BOOL(1),
    Q8_0(32, 34), Q4_0(32, 18),
    Q8_ROW(0), PAL(0);

    /** Values per block (1 for plain types). */
    public final int blockSize;
    /** Bytes per block (bytes per element for plain types; 0 for PAL, whose size depends on its bits). */
    public final int blockBytes;

    DType(int bytes) {
        this(1, bytes);
    }

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    public boolean isQuantized() {
        return this == Q8_0 || this == Q4_0 || this == Q8_ROW || this == PAL;
    }

    /** The weight format of this type; {@link IllegalArgumentException} for a type no weight is stored in. */
    public WeightFormat format() {
        WeightFormat f = formatOrNull();
        if (f == null) throw new IllegalArgumentException(this + " is not a weight type");
        return f;
    }

    /** Whether a weight matrix can be stored in this type (it has a {@link #format()}). */
    public boolean isWeight() {
        return formatOrNull() != null;
    }

    /** The registry: one line per weight type. */
    private WeightFormat formatOrNull() {
        return switch (this) {
            case F32 -> F32Format.INSTANCE;
            case F16 -> F16Format.INSTANCE;
            case BF16 -> BF16Format.INSTANCE;
            case Q8_0 -> Q8_0Format.INSTANCE;
            case Q4_0 -> Q4_0Format.INSTANCE;
            case Q8_ROW -> Q8RowFormat.INSTANCE;
            case PAL -> PalFormat.INSTANCE;
            default -> null;
        };
    }

    /** Bytes of one row of {@code cols} values of a Q8_ROW tensor: its float32 scale, then the int8 values. */
    public static long q8RowBytes(long cols) {
        return Q8RowFormat.INSTANCE.rowBytes(cols, null);
    }

    /** Bytes for {@code n} elements of a plain or block type ({@code n} a multiple of the block size). */
    public long bytesFor(long n) {
        if (this == PAL) throw new IllegalStateException("PAL size depends on its palette; use Palette.rowBytes");
        if (this == Q8_ROW) throw new IllegalStateException("Q8_ROW size depends on the row length; use its WeightFormat.rowBytes");
        if (n % blockSize != 0) throw new IllegalArgumentException(n + " elements is not a multiple of the " + this + " block size " + blockSize);
        return n / blockSize * blockBytes;
    }
}
