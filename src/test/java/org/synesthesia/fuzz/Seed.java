package org.synesthesia.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * One valid file a format's mutants start from: its bytes, the header fields worth patching and the offsets where a
 * cut is structurally interesting (field and section boundaries). {@code companions} are files written beside the
 * mutant unchanged (e.g. {@code merges.txt} when {@code vocab.json} is mutated).
 */
record Seed(String name, String fileName, byte[] bytes, List<Field> fields, List<Integer> cuts, List<Companion> companions) {
    /** A field at {@code offset}, {@code width} bytes (1, 2, 4 or 8), in the given byte order. */
    record Field(String name, int offset, int width, boolean bigEndian) {
        long read(byte[] b) {
            long v = 0;
            for (int i = 0; i < width; i++) {
                int k = bigEndian ? i : width - 1 - i;
                v = (v << 8) | (b[offset + k] & 0xff);
            }
            return v;
        }

        void write(byte[] b, long v) {
            for (int i = 0; i < width; i++) {
                int k = bigEndian ? width - 1 - i : i;
                b[offset + k] = (byte) (v >>> (8 * i));
            }
        }
    }

    /** A file written unchanged beside the mutant. */
    record Companion(String fileName, byte[] bytes) {}

    /** Builds a seed's field list and cut list while walking a header. */
    static final class Layout {
        final List<Field> fields = new ArrayList<>();
        final List<Integer> cuts = new ArrayList<>();
        boolean bigEndian;

        Layout field(String name, int offset, int width) {
            fields.add(new Field(name, offset, width, bigEndian));
            cut(offset);
            cut(offset + width);
            return this;
        }

        Layout cut(int offset) {
            if (!cuts.contains(offset)) cuts.add(offset);
            return this;
        }

        Seed seed(String name, String fileName, byte[] bytes, Companion... companions) {
            List<Integer> c = new ArrayList<>(cuts);
            c.removeIf(x -> x < 0 || x >= bytes.length);
            if (!c.contains(0)) c.add(0);
            if (bytes.length > 1) c.add(bytes.length - 1);
            return new Seed(name, fileName, bytes, List.copyOf(fields), List.copyOf(c), List.of(companions));
        }
    }
}
