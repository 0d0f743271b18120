package org.synesthesia.text;

import java.util.Arrays;

/**
 * Byte string to rank, for a vocabulary whose ranks {@code 0..n-1} are given as byte strings: an open-addressing
 * hash (FNV-1a, linear probing) over one array holding all token bytes back to back. A lookup takes a slice of a
 * caller's array, so merge loops test candidate pairs without copying.
 */
final class ByteRanks {
    private final byte[] data;
    private final int[] offset; // by rank, plus end
    private final int[] slots; // rank + 1, 0 = empty
    private final int mask;

    ByteRanks(byte[][] byRank) {
        int n = byRank.length;
        offset = new int[n + 1];
        long total = 0;
        for (int r = 0; r < n; r++) { offset[r] = (int) total; total += byRank[r].length; }
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("vocabulary too large");
        offset[n] = (int) total;
        data = new byte[(int) total];
        for (int r = 0; r < n; r++) System.arraycopy(byRank[r], 0, data, offset[r], byRank[r].length);
        int cap = Integer.highestOneBit(Math.max(4, n * 2)) << 1;
        slots = new int[cap];
        mask = cap - 1;
        for (int r = 0; r < n; r++) {
            byte[] b = byRank[r];
            if (get(b, 0, b.length) >= 0)
                throw new IllegalArgumentException("token bytes of rank " + r + " occur twice");
            int h = hash(b, 0, b.length) & mask;
            while (slots[h] != 0) h = (h + 1) & mask;
            slots[h] = r + 1;
        }
    }

    int size() { return offset.length - 1; }

    private static int hash(byte[] a, int off, int len) {
        int h = 0x811c9dc5;
        for (int i = off; i < off + len; i++) { h ^= a[i] & 0xff; h *= 0x01000193; }
        return h ^ (h >>> 15);
    }

    /** The rank of {@code a[off, off+len)}, or -1. */
    int get(byte[] a, int off, int len) {
        int h = hash(a, off, len) & mask;
        while (true) {
            int s = slots[h];
            if (s == 0) return -1;
            int r = s - 1;
            int o = offset[r];
            if (offset[r + 1] - o == len && Arrays.equals(data, o, o + len, a, off, off + len)) return r;
            h = (h + 1) & mask;
        }
    }
}
