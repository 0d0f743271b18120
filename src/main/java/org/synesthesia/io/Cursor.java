package org.synesthesia.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.synesthesia.util.SynesthesiaException;

/**
 * A little-endian read position over a mapped file region; every read that would run past the end is a
 * one-line "truncated" error naming the file, the thing being read and the byte offset.
 */
final class Cursor {
    private final Object file;
    private final MemorySegment seg;
    private final long base;
    private long pos;

    /** Reads {@code seg}; offsets in messages are {@code base + position} (the segment's place in the file). */
    Cursor(Object file, MemorySegment seg, long base) {
        this.file = file;
        this.seg = seg;
        this.base = base;
    }

    Cursor(Object file, MemorySegment seg) {
        this(file, seg, 0);
    }

    long position() { return pos; }

    void seek(long p) { pos = p; }

    long remaining() { return seg.byteSize() - pos; }

    MemorySegment segment() { return seg; }

    /** Fails unless {@code n} more bytes are there; returns the current position. */
    long need(long n, String what) {
        if (n < 0 || pos + n > seg.byteSize() || pos + n < pos)
            throw SynesthesiaException.inFile(file, "truncated: " + what + " needs " + n + " bytes at byte " + (base + pos)
                    + " but only " + Math.max(0, seg.byteSize() - pos) + " remain");
        return pos;
    }

    void skip(long n, String what) {
        need(n, what);
        pos += n;
    }

    int u8(String what) {
        need(1, what);
        return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
    }

    byte i8(String what) {
        need(1, what);
        return seg.get(ValueLayout.JAVA_BYTE, pos++);
    }

    int u16(String what) {
        need(2, what);
        int v = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos) & 0xffff;
        pos += 2;
        return v;
    }

    short i16(String what) {
        need(2, what);
        short v = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, pos);
        pos += 2;
        return v;
    }

    int i32(String what) {
        need(4, what);
        int v = seg.get(ValueLayout.JAVA_INT_UNALIGNED, pos);
        pos += 4;
        return v;
    }

    long u32(String what) {
        return i32(what) & 0xffffffffL;
    }

    long i64(String what) {
        need(8, what);
        long v = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, pos);
        pos += 8;
        return v;
    }

    float f32(String what) {
        return Float.intBitsToFloat(i32(what));
    }

    double f64(String what) {
        return Double.longBitsToDouble(i64(what));
    }

    byte[] bytes(long n, String what) {
        need(n, what);
        if (n > Integer.MAX_VALUE - 16) throw SynesthesiaException.inFile(file, what + " of " + n + " bytes is too long");
        byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
        pos += n;
        return b;
    }

    String utf8(long n, String what) {
        return new String(bytes(n, what), StandardCharsets.UTF_8);
    }

    /** A view of the next {@code n} bytes (no copy). */
    MemorySegment slice(long n, String what) {
        need(n, what);
        MemorySegment s = seg.asSlice(pos, n);
        pos += n;
        return s;
    }

    SynesthesiaException error(String problem) {
        return SynesthesiaException.inFile(file, problem);
    }
}
