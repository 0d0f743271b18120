package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/** Converted-file encodings (FORMAT.md): PAL and Q8_ROW weights written as I8 tensors plus keys, read back whole. */
class GgufEncodedTest {
    @TempDir Path tmp;

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static List<Long> shapeList(long... s) {
        List<Long> l = new ArrayList<>();
        for (long d : s) l.add(d);
        return l;
    }

    static void putPal(GgufWriter w, String name, long[] shape, int bits, int group, Quantize.Palettized p, boolean f16Lut) {
        int rows = (int) shape[0];
        long cols = 1;
        for (int i = 1; i < shape.length; i++) cols *= shape[i];
        w.put("synesthesia.tensor." + name + ".encoding", "pal");
        w.put("synesthesia.tensor." + name + ".shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)));
        w.put("synesthesia.tensor." + name + ".bits", GgufValue.u32(bits));
        w.put("synesthesia.tensor." + name + ".group_size", GgufValue.u32(group));
        w.tensor(name, DType.I8, new long[] {rows, Palette.rowBytes(cols, bits)}, p.indices());
        long[] lutShape = {rows / group, 1L << bits};
        w.tensor(name + ".lut", f16Lut ? DType.F16 : DType.F32, lutShape, f16Lut ? Quantize.toF16(p.palette().lut()) : Quantize.toF32(p.palette().lut()));
    }

    static void putQ8Row(GgufWriter w, String name, long[] shape, byte[] data) {
        long cols = 1;
        for (int i = 1; i < shape.length; i++) cols *= shape[i];
        w.put("synesthesia.tensor." + name + ".encoding", "q8_row");
        w.put("synesthesia.tensor." + name + ".shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)));
        w.tensor(name, DType.I8, new long[] {shape[0], DType.q8RowBytes(cols)}, data);
    }

    /** Every bits, per-tensor and grouped tables, F32 and F16 tables: the logical tensor decodes as PalFormat does. */
    @Test
    void palettizedTensorsDecodeLikeTheReference() throws IOException {
        Random r = new Random(11);
        long[] shape = {12, 5, 3}; // rows 12, cols 15 (odd: rows end mid-byte for 2, 6 bits)
        int rows = 12, cols = 15;
        for (int bits : new int[] {2, 4, 6, 8}) {
            for (int group : new int[] {12, 4, 1}) {
                for (boolean f16 : new boolean[] {false, true}) {
                    float[] w = random(r, rows * cols);
                    float[] lut = Quantize.uniformLut(w, rows, cols, bits, group);
                    if (f16) lut = StoredTensorsF16.roundToF16(lut);
                    Quantize.Palettized p = Quantize.palettize(w, rows, cols, bits, group, lut);
                    GgufWriter gw = new GgufWriter();
                    gw.put("general.architecture", "test");
                    gw.tensor("before", DType.F32, new long[] {2}, Quantize.toF32(new float[] {1, 2}));
                    putPal(gw, "w", shape, bits, group, p, f16);
                    gw.tensor("after", DType.F32, new long[] {1}, Quantize.toF32(new float[] {3}));
                    Path f = tmp.resolve("pal" + bits + "_" + group + f16 + ".gguf");
                    gw.write(f);
                    try (Gguf g = Gguf.open(f)) {
                        assertEquals(List.of("before", "w", "after"), List.copyOf(g.names()), "lut tables are hidden");
                        assertFalse(g.contains("w.lut"));
                        assertTrue(g.rawTensors().containsKey("w.lut"));
                        assertEquals(DType.I8, g.rawTensors().get("w").dtype());
                        StoredTensor t = g.get("w");
                        assertEquals(DType.PAL, t.dtype());
                        assertArrayEquals(shape, t.shape());
                        assertEquals(bits, t.palette().bits());
                        assertEquals(group, t.palette().groupSize());
                        assertArrayEquals(lut, t.palette().lut());
                        // a view of the mapping, not a copy
                        assertEquals(g.rawTensors().get("w").data().address(), t.data().address());
                        StoredTensor ref = new StoredTensor("w", DType.PAL, shape, java.lang.foreign.MemorySegment.ofArray(p.indices()), p.palette(), "ref");
                        assertArrayEquals(ref.toFloats(), t.toFloats(), bits + " bits, group " + group + ", f16 " + f16);
                    }
                }
            }
        }
    }

    @Test
    void q8RowTensorsDecodeLikeTheReference() throws IOException {
        Random r = new Random(12);
        long[] shape = {7, 3, 3};
        float[] w = random(r, 63);
        byte[] q = Quantize.toQ8Row(w, 7, 9);
        GgufWriter gw = new GgufWriter();
        putQ8Row(gw, "conv.weight", shape, q);
        Path f = tmp.resolve("q8.gguf");
        gw.write(f);
        try (Gguf g = Gguf.open(f)) {
            StoredTensor t = g.get("conv.weight");
            assertEquals(DType.Q8_ROW, t.dtype());
            assertArrayEquals(shape, t.shape());
            StoredTensor ref = new StoredTensor("w", DType.Q8_ROW, shape, java.lang.foreign.MemorySegment.ofArray(q), "ref");
            float[] got = t.toFloats();
            assertArrayEquals(ref.toFloats(), got);
            for (int i = 0; i < w.length; i++) assertEquals(w[i], got[i], 1.01f * Math.abs(ref.toFloats()[i] - w[i]) + 1e-6f);
        }
    }

    /** A malformed encoded tensor: one-line error naming the file and the tensor. */
    private void assertFails(String expected, Consumer<GgufWriter> build) throws IOException {
        GgufWriter gw = new GgufWriter();
        build.accept(gw);
        Path f = tmp.resolve("bad.gguf");
        gw.write(f);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Gguf.open(f).close());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("tensor w: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void malformedEncodingsAreOneLineErrors() throws IOException {
        float[] w = random(new Random(3), 8 * 6);
        Quantize.Palettized p4 = Quantize.palettize(w, 8, 6, 4, 4, Quantize.uniformLut(w, 8, 6, 4, 4));
        long[] shape = {8, 6};
        assertFails("unknown encoding 'pal9'", gw -> { putPal(gw, "w", shape, 4, 4, p4, false); gw.put("synesthesia.tensor.w.encoding", "pal9"); });
        assertFails("no I8 tensor", gw -> gw.put("synesthesia.tensor.w.encoding", "q8_row")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape))));
        assertFails("missing synesthesia.tensor.w.shape", gw -> { gw.put("synesthesia.tensor.w.encoding", "q8_row"); gw.tensor("w", DType.I8, new long[] {8, 10}, new byte[80]); });
        assertFails("must be I8", gw -> { gw.put("synesthesia.tensor.w.encoding", "q8_row")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)));
                gw.tensor("w", DType.F32, new long[] {8, 10}, new byte[320]); });
        assertFails("does not match 8 rows x 10 bytes", gw -> { gw.put("synesthesia.tensor.w.encoding", "q8_row")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)));
                gw.tensor("w", DType.I8, new long[] {8, 9}, new byte[72]); });
        assertFails("does not match 8 rows x 3 bytes", gw -> { gw.put("synesthesia.tensor.w.encoding", "pal")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)))
                .put("synesthesia.tensor.w.bits", GgufValue.u32(4)).put("synesthesia.tensor.w.group_size", GgufValue.u32(4));
                gw.tensor("w", DType.I8, new long[] {8, 4}, new byte[32]);
                gw.tensor("w.lut", DType.F32, new long[] {2, 16}, new byte[128]); });
        assertFails("palette bits 3", gw -> { putPal(gw, "w", shape, 4, 4, p4, false); gw.put("synesthesia.tensor.w.bits", GgufValue.u32(3)); });
        assertFails("group size 3 does not divide its 8 rows", gw -> { putPal(gw, "w", shape, 4, 4, p4, false); gw.put("synesthesia.tensor.w.group_size", GgufValue.u32(3)); });
        assertFails("group size 0 does not divide", gw -> { putPal(gw, "w", shape, 4, 4, p4, false); gw.put("synesthesia.tensor.w.group_size", GgufValue.u32(0)); });
        assertFails("lookup table w.lut is missing", gw -> { gw.put("synesthesia.tensor.w.encoding", "pal")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)))
                .put("synesthesia.tensor.w.bits", GgufValue.u32(4)).put("synesthesia.tensor.w.group_size", GgufValue.u32(4));
                gw.tensor("w", DType.I8, new long[] {8, 3}, p4.indices()); });
        assertFails("lookup table has shape [1, 16], expected [2, 16]", gw -> { gw.put("synesthesia.tensor.w.encoding", "pal")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)))
                .put("synesthesia.tensor.w.bits", GgufValue.u32(4)).put("synesthesia.tensor.w.group_size", GgufValue.u32(4));
                gw.tensor("w", DType.I8, new long[] {8, 3}, p4.indices());
                gw.tensor("w.lut", DType.F32, new long[] {1, 16}, new byte[64]); });
        assertFails("lookup table is I8", gw -> { gw.put("synesthesia.tensor.w.encoding", "pal")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)))
                .put("synesthesia.tensor.w.bits", GgufValue.u32(4)).put("synesthesia.tensor.w.group_size", GgufValue.u32(4));
                gw.tensor("w", DType.I8, new long[] {8, 3}, p4.indices());
                gw.tensor("w.lut", DType.I8, new long[] {2, 16}, new byte[32]); });
        assertFails("missing synesthesia.tensor.w.bits", gw -> { gw.put("synesthesia.tensor.w.encoding", "pal")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(shape)))
                .put("synesthesia.tensor.w.group_size", GgufValue.u32(4));
                gw.tensor("w", DType.I8, new long[] {8, 3}, p4.indices()); });
        assertFails("not positive", gw -> { gw.put("synesthesia.tensor.w.encoding", "q8_row")
                .put("synesthesia.tensor.w.shape", GgufValue.array(GgufValue.Type.UINT64, shapeList(8, 0)));
                gw.tensor("w", DType.I8, new long[] {8, 4}, new byte[32]); });
        assertFails("not a string", gw -> { gw.put("synesthesia.tensor.w.encoding", GgufValue.u32(1));
                gw.tensor("w", DType.I8, new long[] {8, 4}, new byte[32]); });
    }

    /** F16-exact copies of values, so an F16 lookup table reads back equal. */
    static final class StoredTensorsF16 {
        static float[] roundToF16(float[] x) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) y[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            return y;
        }
    }
}
