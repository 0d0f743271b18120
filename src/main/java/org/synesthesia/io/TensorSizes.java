package org.synesthesia.io;

import java.util.Arrays;
import org.synesthesia.tensor.DType;
import org.synesthesia.util.SynesthesiaException;

/**
 * Checked size arithmetic for tensor headers read from files: element counts (the product of the dimensions) and
 * byte sizes ({@code elements / blockSize * blockBytes}) that overflow a signed 64-bit long, or negative
 * dimensions, are a one-line {@code FILE: damaged tensor header: tensor NAME ...} error, never a wrapped-around
 * size or an {@link ArithmeticException}.
 */
final class TensorSizes {
    private TensorSizes() {}

    /** The product of {@code dims}; {@code name} is already quoted for printing (see SafeText). */
    static long elements(Object file, String name, long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw damaged(file, name, "has a negative dimension in " + Arrays.toString(dims));
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw damaged(file, name, "has dimensions " + Arrays.toString(dims) + " whose product exceeds 2^63-1 elements");
            }
        }
        return n;
    }

    /** Bytes of a {@code dtype} tensor of shape {@code dims} (a block type: whole blocks only). */
    static long bytes(Object file, String name, DType dtype, long[] dims) {
        return bytesFor(file, name, dtype, elements(file, name, dims), dims);
    }

    /** Bytes of {@code n} elements of {@code dtype}. */
    static long bytesFor(Object file, String name, DType dtype, long n, long[] dims) {
        if (n % dtype.blockSize != 0)
            throw damaged(file, name, "has " + n + " elements, not whole " + dtype + " blocks of " + dtype.blockSize);
        try {
            return Math.multiplyExact(n / dtype.blockSize, (long) dtype.blockBytes);
        } catch (ArithmeticException e) {
            throw damaged(file, name, "of " + dtype + " shape " + Arrays.toString(dims) + " would need more than 2^63-1 bytes");
        }
    }

    static SynesthesiaException damaged(Object file, String name, String problem) {
        return SynesthesiaException.inFile(file, "damaged tensor header: tensor " + name + " " + problem);
    }
}
