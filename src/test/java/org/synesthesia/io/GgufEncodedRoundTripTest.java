package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;

/**
 * Files with every tensor encoding (ggml types, PAL per tensor and per group, Q8_ROW, bytes made at write time)
 * read back as the tensors and metadata written, and writing what was read gives the same bytes.
 */
class GgufEncodedRoundTripTest {
    @TempDir Path tmp;

    private static float[] randn(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void encodedTensorsRoundTrip() throws IOException {
        Random r = new Random(11);
        float[] a = randn(r, 6 * 40), p4 = randn(r, 12 * 5 * 3), p6 = randn(r, 7 * 9), q = randn(r, 5 * 37), q8 = randn(r, 4 * 64);
        var pal4 = Quantize.palettize(p4, 12, 15, 4, 3, Quantize.uniformLut(p4, 12, 15, 4, 3));
        var pal6 = Quantize.palettize(p6, 7, 9, 6, 7, Quantize.uniformLut(p6, 7, 9, 6, 7));
        byte[] q8r = Quantize.toQ8Row(q, 5, 37);
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", "test").put("count", GgufValue.u32(5));
        w.tensor("a.weight", DType.F16, new long[] {6, 40}, () -> MemorySegment.ofArray(Quantize.toF16(a)));
        w.palettized("conv.weight", new long[] {12, 5, 3}, 4, 3, () -> pal4);
        w.palettized("lin.weight", new long[] {7, 9}, 6, 7, () -> pal6);
        w.q8Row("row.weight", new long[] {5, 37}, () -> MemorySegment.ofArray(q8r));
        w.tensor("q8.weight", DType.Q8_0, new long[] {4, 64}, Quantize.toQ8_0(q8));
        w.tensor("ids", DType.I64, new long[] {1, 3}, new byte[24]);
        Path f = tmp.resolve("enc.gguf");
        long predicted = w.fileSize();
        w.write(f);
        assertEquals(predicted, Files.size(f));

        try (Gguf g = Gguf.open(f)) {
            assertEquals(List.of("a.weight", "conv.weight", "lin.weight", "row.weight", "q8.weight", "ids"), new ArrayList<>(g.names()));
            StoredTensor c = g.get("conv.weight");
            assertEquals(DType.PAL, c.dtype());
            assertArrayEquals(new long[] {12, 5, 3}, c.shape());
            assertEquals(3, c.palette().groupSize());
            assertArrayEquals(pal4.palette().lut(), c.palette().lut());
            assertArrayEquals(pal4.indices(), c.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(DType.PAL, g.get("lin.weight").dtype());
            assertEquals(6, g.get("lin.weight").palette().bits());
            StoredTensor row = g.get("row.weight");
            assertEquals(DType.Q8_ROW, row.dtype());
            assertArrayEquals(new long[] {5, 37}, row.shape());
            assertArrayEquals(q8r, row.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals("pal", g.metadata().get("synesthesia.tensor.conv.weight.encoding"));
            assertEquals("[12,5,3]", g.metadata().get("synesthesia.tensor.conv.weight.shape"));
            assertEquals("q8_row", g.metadata().get("synesthesia.tensor.row.weight.encoding"));

            // write what was read: the same file
            GgufWriter again = new GgufWriter();
            g.values().forEach(again::put);
            for (String n : g.names()) again.tensor(g.get(n));
            Path f2 = tmp.resolve("again.gguf");
            again.write(f2);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(f2));
        }
    }

    @Test
    void producersAreCheckedAgainstWhatWasDeclared() {
        GgufWriter w = new GgufWriter();
        w.tensor("a", DType.F32, new long[] {4}, () -> MemorySegment.ofArray(new byte[12]));
        Path f = tmp.resolve("bad.gguf");
        assertThrows(IllegalStateException.class, () -> w.write(f));
        assertEquals(false, Files.exists(f), "no partial output");
        GgufWriter w2 = new GgufWriter();
        float[] x = new float[64];
        var pal = Quantize.palettize(x, 8, 8, 2, 8, new float[4]);
        w2.palettized("p", new long[] {8, 8}, 4, 8, () -> pal);
        assertThrows(IllegalStateException.class, () -> w2.write(tmp.resolve("bad2.gguf")), "2-bit palette declared as 4-bit");
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().palettized("p", new long[] {8, 8}, 4, 3, () -> pal), "3 does not divide 8");
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().q8Row("v", new long[] {8}, () -> null), "1-D");
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().tensor("p", DType.PAL, new long[] {8, 8}, MemorySegment.ofArray(new byte[8])));
    }
}
