package org.synesthesia.audio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.synesthesia.util.SynesthesiaException;

/**
 * Big-endian (most significant bit first) bit reader over a byte range of a {@link MemorySegment}, as FLAC
 * frames are coded. Reading past {@code end} throws a one-line "truncated" error naming the file.
 */
final class BitReader {
    private final MemorySegment data;
    private final long end;
    private final Object name;
    private long next;   // index of the next byte to load into the cache
    private long cache;  // the low `bits` bits are unread, most significant first
    private int bits;

    BitReader(MemorySegment data, long start, long end, Object name) {
        this.data = data;
        this.next = start;
        this.end = end;
        this.name = name;
    }

    /** Byte offset of the next unread bit's byte (exact when {@link #aligned()}). */
    long bytePosition() {
        return next - (bits >> 3);
    }

    boolean aligned() {
        return (bits & 7) == 0;
    }

    /** Skips to the next byte boundary. */
    void align() {
        bits &= ~7;
    }

    /** Moves to byte {@code pos}, discarding cached bits. */
    void seek(long pos) {
        next = pos;
        bits = 0;
    }

    boolean atEnd() {
        return bits == 0 && next >= end;
    }

    private void fill(int n) {
        while (bits < n) {
            if (next >= end) throw SynesthesiaException.inFile(name, "truncated: the stream ends inside a frame (byte " + next + ")");
            cache = cache << 8 | Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, next++));
            bits += 8;
        }
    }

    /** The next {@code n} bits (0..32) as an unsigned value. */
    long bits(int n) {
        if (n == 0) return 0;
        fill(n);
        bits -= n;
        return cache >>> bits & (-1L >>> (64 - n));
    }

    int uint(int n) {
        return (int) bits(n);
    }

    /** The next {@code n} bits (1..33) as a two's complement value. */
    long signed(int n) {
        if (n == 0) return 0;
        long v = n > 32 ? bits(n - 32) << 32 | bits(32) : bits(n);
        return v << (64 - n) >> (64 - n);
    }

    boolean bit() {
        return bits(1) != 0;
    }

    /** Counts 0 bits up to and including the terminating 1 bit; returns the number of zeros. */
    int unary() {
        int count = 0;
        while (true) {
            if (bits == 0) fill(8);
            long v = cache & (-1L >>> (64 - bits));
            if (v == 0) {
                count += bits;
                bits = 0;
                if (count > (1 << 30)) throw SynesthesiaException.inFile(name, "corrupt: endless unary code");
                continue;
            }
            int top = 63 - Long.numberOfLeadingZeros(v); // index of the highest set (terminating) bit
            count += bits - 1 - top;
            bits = top;
            return count;
        }
    }

    /** Byte at absolute offset {@code pos} (for CRCs over what was read). */
    int byteAt(long pos) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos));
    }
}
