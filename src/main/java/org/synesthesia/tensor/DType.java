package org.synesthesia.tensor;

/**
 * Storage types of stored tensors. Computation is always float32; these say how values sit in memory.
 *
 * <p>Block types store {@code blockSize} values in {@code blockBytes} bytes: Q8_0 is ggml's
 * (f16 scale d, 32 x int8 q; value = d*q), Q4_0 is ggml's (f16 scale d, 16 bytes of nibbles; value = d*(q-8),
 * low nibbles are elements 0..15, high nibbles 16..31). PAL is a palettized tensor: packed k-bit indices
 * into a lookup table (see {@link Palette}).
 */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8),
    I8(1), U8(1), I16(2), I32(4), I64(8), BOOL(1),
    Q8_0(32, 34), Q4_0(32, 18),
    PAL(0);

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
        return this == Q8_0 || this == Q4_0 || this == PAL;
    }

    /** Bytes for {@code n} elements of a plain or block type ({@code n} a multiple of the block size). */
    public long bytesFor(long n) {
        if (this == PAL) throw new IllegalStateException("PAL size depends on its palette; use Palette.indexBytes");
        if (n % blockSize != 0) throw new IllegalArgumentException(n + " elements is not a multiple of the " + this + " block size " + blockSize);
        return n / blockSize * blockBytes;
    }
}
