package org.synesthesia.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A ggml block type: {@code blockSize} values in {@code blockBytes} bytes ({@link DType#blockSize},
 * {@link DType#blockBytes}), rows of whole blocks. A subclass decodes runs of whole blocks; ranges that start or end
 * inside a block go through a scratch block here.
 */
abstract class BlockFormat extends GgmlFormat {
    BlockFormat(DType dtype, int ggmlType) {
        super(dtype, ggmlType, 2);
    }

    /** The number of blocks in {@code x}, whose length must be a multiple of the block size. */
    int wholeBlocks(float[] x) {
        int bs = dtype().blockSize;
        if (x.length % bs != 0) throw new IllegalArgumentException(x.length + " values is not a whole number of " + bs + "-value blocks");
        return x.length / bs;
    }

    /** Scalar: {@code blocks} blocks from byte {@code at} into {@code dst[off..]}. */
    abstract void decodeBlocks(MemorySegment seg, long at, int blocks, float[] dst, int off);

    /** The same with the Vector API. */
    abstract void decodeBlocksVector(MemorySegment seg, long at, int blocks, float[] dst, int off);

    @Override
    public void checkRow(String name, long cols) {
        int bs = dtype().blockSize;
        if (cols % bs != 0) throw new IllegalArgumentException(name + ": " + dtype() + " rows of " + cols + " values are not whole blocks of " + bs);
    }

    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        int bs = dtype().blockSize;
        decodeBlocks(data, ((long) row * cols + col0) / bs * dtype().blockBytes, len / bs, dst, off);
    }

    @Override
    public void decodeRowVector(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        int bs = dtype().blockSize, bytes = dtype().blockBytes;
        long rowBlock = (long) row * (cols / bs);
        int c = col0, end = col0 + len;
        while (c < end) {
            int b = c / bs, within = c - b * bs;
            long at = (rowBlock + b) * bytes;
            if (within == 0 && end - c >= bs) {
                int whole = (end - c) / bs;
                decodeBlocksVector(data, at, whole, dst, off + c - col0);
                c += whole * bs;
            } else {
                decodeBlocksVector(data, at, 1, tmp, 0);
                int n = Math.min(bs - within, end - c);
                System.arraycopy(tmp, within, dst, off + c - col0, n);
                c += n;
            }
        }
    }

    /** Nearest integer, halves away from zero (C's roundf). */
    static int roundHalfAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5f) : Math.floor(v + 0.5f));
    }
}
