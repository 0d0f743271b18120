package org.synesthesia.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * PAL: a palettized weight, packed k-bit indices into a lookup table ({@link Palette} has the layout). In GGUF:
 * encoding {@code pal}, an I8 index tensor [rows, ceil(cols*bits/8)], keys {@code .bits} and {@code .group_size},
 * and an F32 table {@code NAME.lut} [rows/groupSize, 2^bits] (written by {@link #writeGguf}, read back, F16 tables
 * too, by {@link #readGguf}). Its encoders are {@link Quantize#palettize} and {@link Quantize#palettizeKMeans}.
 */
public final class PalFormat extends EncodedFormat {
    public static final PalFormat INSTANCE = new PalFormat();
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    /** Makes a palettized weight (indices and table) when the file is written. */
    @FunctionalInterface
    public interface Source {
        Quantize.Palettized get() throws IOException;
    }

    private PalFormat() {}

    @Override public DType dtype() { return DType.PAL; }
    @Override public String ggufEncoding() { return "pal"; }
    @Override public int decodeCost() { return 4; }

    @Override
    public long rowBytes(long cols, Palette palette) {
        return Palette.rowBytes(cols, palette.bits());
    }

    /** The tables of the groups the rows cover: one group's table, or whole groups' tables. */
    @Override
    public Palette paletteOfRows(Palette p, long r0, long rows) {
        int gs = p.groupSize(), e = p.entries();
        if (r0 / gs == (r0 + rows - 1) / gs) {
            int g = (int) (r0 / gs);
            return new Palette(p.bits(), (int) rows, java.util.Arrays.copyOfRange(p.lut(), g * e, (g + 1) * e));
        }
        if (r0 % gs == 0 && rows % gs == 0)
            return new Palette(p.bits(), gs, java.util.Arrays.copyOfRange(p.lut(), (int) (r0 / gs) * e, (int) ((r0 + rows) / gs) * e));
        throw new IllegalArgumentException("palette groups of " + gs + " rows do not split at rows " + r0 + ".." + (r0 + rows));
    }

    /** Decodes the whole row (through a scratch row when only part of it is asked for). */
    @Override
    public void decodeRow(MemorySegment data, Palette palette, int cols, int row, int col0, int len, float[] dst, int off) {
        if (col0 == 0 && len == cols) {
            row(data, palette, row, cols, dst, off);
        } else {
            float[] tmp = new float[cols];
            row(data, palette, row, cols, tmp, 0);
            System.arraycopy(tmp, col0, dst, off, len);
        }
    }

    /** Row {@code r} ({@code cols} values): index c is bits [c*bits, (c+1)*bits) of the row, possibly across two bytes. */
    private static void row(MemorySegment idx, Palette p, int r, int cols, float[] out, int off) {
        int bits = p.bits();
        long rowBase = r * Palette.rowBytes(cols, bits);
        int lutBase = (r / p.groupSize()) << bits;
        int mask = (1 << bits) - 1;
        for (int c = 0; c < cols; c++) {
            long bit = (long) c * bits;
            long byteIdx = rowBase + (bit >>> 3);
            int shift = (int) (bit & 7);
            int v = idx.get(I8, byteIdx) & 0xff;
            if (shift + bits > 8) v |= (idx.get(I8, byteIdx + 1) & 0xff) << 8;
            out[off + c] = p.lut()[lutBase + ((v >>> shift) & mask)];
        }
    }

    /**
     * Any column range: 8 bits as a gather from the table, 4 and 2 bits as a lane permutation of the table held in
     * one vector (16 lanes), 6 bits four indices (3 bytes) at a time.
     */
    @Override
    public void decodeRowVector(MemorySegment data, Palette p, int cols, int row, int col0, int len, float[] dst, int off, float[] tmp) {
        int bits = p.bits();
        long rowBase = row * Palette.rowBytes(cols, bits);
        int lutBase = (row / p.groupSize()) << bits;
        switch (bits) {
            case 8 -> Vec.pal8(data, rowBase + col0, p.lut(), lutBase, len, dst, off);
            case 4 -> Vec.pal4(data, rowBase, col0, p.lut(), lutBase, len, dst, off);
            case 2 -> Vec.pal2(data, rowBase, col0, p.lut(), lutBase, len, dst, off);
            default -> palBits(data, rowBase, bits, col0, p.lut(), lutBase, len, dst, off);
        }
    }

    /** Any width (6 bits here): an index may straddle two bytes. */
    private static void palBits(MemorySegment idx, long rowBase, int bits, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
        int mask = (1 << bits) - 1;
        int i = 0;
        if (bits == 6 && (col0 & 3) == 0) {
            // 4 indices = 3 bytes
            long at = rowBase + col0 / 4 * 3L;
            for (; i + 4 <= len; i += 4, at += 3) {
                int v = (idx.get(I8, at) & 0xff) | (idx.get(I8, at + 1) & 0xff) << 8 | (idx.get(I8, at + 2) & 0xff) << 16;
                dst[off + i] = lut[lutBase + (v & 63)];
                dst[off + i + 1] = lut[lutBase + (v >>> 6 & 63)];
                dst[off + i + 2] = lut[lutBase + (v >>> 12 & 63)];
                dst[off + i + 3] = lut[lutBase + (v >>> 18)];
            }
        }
        for (; i < len; i++) {
            long bit = (long) (col0 + i) * bits;
            long at = rowBase + (bit >>> 3);
            int shift = (int) (bit & 7);
            int v = idx.get(I8, at) & 0xff;
            if (shift + bits > 8) v |= (idx.get(I8, at + 1) & 0xff) << 8;
            dst[off + i] = lut[lutBase + ((v >>> shift) & mask)];
        }
    }

    @Override
    public byte[] encode(float[] w, int rows, int cols) {
        throw new IllegalArgumentException("a PAL weight needs a lookup table: encode it with Quantize.palettize or Quantize.palettizeKMeans");
    }

    @Override
    public void writeGguf(GgufSink sink, String name, long[] shape, Palette palette, GgufSink.Bytes data) {
        if (palette == null) throw new IllegalArgumentException(name + ": a PAL weight without its palette");
        writeGguf(sink, name, shape, palette.bits(), palette.groupSize(), () -> new Quantize.Palettized(data.get().toArray(I8), palette));
    }

    /**
     * Adds a palettized weight of logical shape {@code shape} whose indices and table {@code data} makes when the
     * index tensor is written; its palette must have {@code bits} and {@code groupSize}.
     */
    public void writeGguf(GgufSink sink, String name, long[] shape, int bits, int groupSize, Source data) {
        long rows = rows(name, shape), cols = cols(shape);
        new Palette(bits, groupSize, new float[0]); // checks bits
        if (groupSize <= 0 || rows % groupSize != 0)
            throw new IllegalArgumentException(name + ": palette group size " + groupSize + " does not divide " + rows + " rows");
        long rowBytes = Palette.rowBytes(cols, bits);
        long groups = rows / groupSize, entries = 1L << bits;
        encodingKeys(sink, name, shape);
        sink.key(name, "bits", bits);
        sink.key(name, "group_size", groupSize);
        Quantize.Palettized[] made = new Quantize.Palettized[1];
        sink.tensor(name, DType.I8, new long[] {rows, rowBytes}, () -> {
            Quantize.Palettized p = data.get();
            Palette pal = p.palette();
            if (pal.bits() != bits || pal.groupSize() != groupSize || pal.lut().length != groups * entries)
                throw new IllegalStateException(name + ": produced palette " + pal.bits() + " bits, groups of " + pal.groupSize()
                        + ", " + pal.lut().length + " entries; declared " + bits + " bits, groups of " + groupSize);
            made[0] = p;
            return MemorySegment.ofArray(p.indices());
        });
        sink.tensor(name + ".lut", DType.F32, new long[] {groups, entries}, () -> {
            if (made[0] == null) throw new IllegalStateException(name + ".lut written before its indices");
            MemorySegment lut = MemorySegment.ofArray(F32Format.INSTANCE.encode(made[0].palette().lut()));
            made[0] = null;
            return lut;
        });
    }

    /**
     * A view of the I8 index tensor [rows, ceil(cols*bits/8)] as PAL of the logical shape, with its table
     * {@code NAME.lut} (F32 or F16 [rows/groupSize, 2^bits]) decoded; the table is then part of the weight.
     */
    @Override
    public StoredTensor readGguf(GgufSource file, String name) {
        long[] shape = file.shape(name);
        long rows = shape[0], cols = cols(shape);
        long bits = file.integer(name, "bits");
        if (bits != 2 && bits != 4 && bits != 6 && bits != 8) throw file.error(name, "palette bits " + bits + " (must be 2, 4, 6 or 8)");
        long group = file.integer(name, "group_size");
        if (group <= 0 || rows % group != 0) throw file.error(name, "palette group size " + group + " does not divide its " + rows + " rows");
        StoredTensor idx = rowsTensor(file, name, rows, Palette.rowBytes(cols, (int) bits));
        StoredTensor lut = file.tensor(name + ".lut");
        if (lut == null) throw file.error(name, "palette lookup table " + name + ".lut is missing");
        long entries = 1L << bits;
        if (lut.dtype() != DType.F32 && lut.dtype() != DType.F16) throw file.error(name, "lookup table is " + lut.dtype() + " (must be F32 or F16)");
        if (!java.util.Arrays.equals(lut.shape(), new long[] {rows / group, entries}))
            throw file.error(name, "lookup table has shape " + lut.shapeString() + ", expected " + java.util.Arrays.toString(new long[] {rows / group, entries}));
        if (lut.elements() > Integer.MAX_VALUE) throw file.error(name, "lookup table of " + lut.elements() + " entries is too large");
        Palette p = new Palette((int) bits, (int) group, lut.toFloats());
        return new StoredTensor(name, DType.PAL, shape, idx.data(), p, file.description());
    }

    /** Vector API decoders of 8-, 4- and 2-bit indices. */
    private static final class Vec {
        private static final int L = FormatLanes.L;
        /** Lane e of a nibble index vector reads bits [4(e mod 8), +4) of word e / 8 (L = 16 only). */
        private static final IntVector NIBBLE_SHIFT = L == 16 ? IntVector.fromArray(FormatLanes.IS, new int[] {0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28}, 0) : null;
        private static final VectorMask<Integer> UPPER_HALF = L == 16 ? VectorMask.fromLong(FormatLanes.IS, 0xff00L) : null;
        /** Lane e of a 2-bit index vector reads bits [2e, +2) of its word (L = 16 only). */
        private static final IntVector CRUMB_SHIFT = L == 16 ? IntVector.fromArray(FormatLanes.IS, new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, 0) : null;
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

        static void pal8(MemorySegment idx, long at, float[] lut, int lutBase, int len, float[] dst, int off) {
            int i = 0;
            if (FormatLanes.BS != null) {
                // L byte indices widened to ints, then one gather from the table
                int[] map = new int[L];
                for (; i + L <= len; i += L) {
                    ((IntVector) ByteVector.fromMemorySegment(FormatLanes.BS, idx, at + i, FormatLanes.LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, FormatLanes.IS, 0)).intoArray(map, 0);
                    FloatVector.fromArray(FormatLanes.S, lut, lutBase, map, 0).intoArray(dst, off + i);
                }
            }
            for (; i < len; i++) dst[off + i] = lut[lutBase + (idx.get(I8, at + i) & 0xff)];
        }

        static void pal4(MemorySegment idx, long rowBase, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
            int i = 0, c = col0;
            if ((c & 1) != 0 && i < len) dst[off + i++] = lut[lutBase + ((idx.get(I8, rowBase + (c++ >> 1)) >> 4) & 0xf)];
            long at = rowBase + (c >> 1);
            if (L == 16) {
                // 16 indices = 8 bytes = one long; the 16-entry table is one vector, indexed by a lane permutation
                FloatVector table = FloatVector.fromArray(FormatLanes.S, lut, lutBase);
                for (; i + 16 <= len; i += 16, at += 8) {
                    long word = idx.get(I64, at);
                    IntVector words = IntVector.broadcast(FormatLanes.IS, (int) word).blend(IntVector.broadcast(FormatLanes.IS, (int) (word >>> 32)), UPPER_HALF);
                    VectorShuffle<Float> sh = words.lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xf).toShuffle().cast(FormatLanes.S);
                    table.rearrange(sh).intoArray(dst, off + i);
                }
            }
            int pairs = (len - i) >> 1;
            for (int q = 0; q < pairs; q++) {
                int v = idx.get(I8, at + q);
                dst[off + i + 2 * q] = lut[lutBase + (v & 0xf)];
                dst[off + i + 2 * q + 1] = lut[lutBase + ((v >> 4) & 0xf)];
            }
            i += 2 * pairs;
            if (i < len) dst[off + i] = lut[lutBase + (idx.get(I8, at + pairs) & 0xf)];
        }

        static void pal2(MemorySegment idx, long rowBase, int col0, float[] lut, int lutBase, int len, float[] dst, int off) {
            int i = 0;
            if (L == 16 && (col0 & 3) == 0 && len >= 16) {
                // 16 indices = 4 bytes = one int; the 4-entry table sits in the first lanes of one vector
                float[] t4 = new float[16];
                System.arraycopy(lut, lutBase, t4, 0, 4);
                FloatVector table = FloatVector.fromArray(FormatLanes.S, t4, 0);
                long at = rowBase + (col0 >> 2);
                for (; i + 16 <= len; i += 16, at += 4) {
                    int word = idx.get(ValueLayout.JAVA_INT_UNALIGNED, at);
                    VectorShuffle<Float> sh = IntVector.broadcast(FormatLanes.IS, word).lanewise(VectorOperators.LSHR, CRUMB_SHIFT).and(3).toShuffle().cast(FormatLanes.S);
                    table.rearrange(sh).intoArray(dst, off + i);
                }
            }
            for (; i < len; i++) {
                int c = col0 + i;
                int v = idx.get(I8, rowBase + (c >> 2));
                dst[off + i] = lut[lutBase + ((v >> ((c & 3) * 2)) & 3)];
            }
        }
    }
}
