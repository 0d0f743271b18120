package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every {@link WeightFormat}: the registry, encode -> decode round trips within each type's step, the vectorised
 * row decoder equal to the scalar reference on random odd ranges, and the whole-tensor decoder equal to row decoding.
 */
class WeightFormatTest {
    /** A weight of one type: its bytes, its palette (PAL) and the float32 values it was made from. */
    record Made(String label, WeightFormat format, MemorySegment data, Palette palette, int rows, int cols, float[] source) {}

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * (1 + (i / 7) % 5));
        return x;
    }

    /** Every type on [rows, cols]; the block types only where cols is whole blocks; PAL in every width, grouped and not. */
    static List<Made> every(SplittableRandom r, int rows, int cols) {
        float[] w = random(r, rows * cols);
        List<Made> out = new ArrayList<>();
        for (DType t : DType.values()) {
            if (!t.isWeight() || t == DType.PAL) continue;
            if (t.blockSize > 1 && cols % t.blockSize != 0) continue;
            WeightFormat f = t.format();
            out.add(new Made(t.toString(), f, MemorySegment.ofArray(f.encode(w, rows, cols)), null, rows, cols, w));
        }
        for (int bits : new int[] {2, 4, 6, 8}) {
            for (int group : new int[] {rows, rows % 2 == 0 ? 2 : 1}) {
                var p = Quantize.palettize(w, rows, cols, bits, group, Quantize.uniformLut(w, rows, cols, bits, group));
                out.add(new Made("PAL" + bits + "/g" + group, PalFormat.INSTANCE, MemorySegment.ofArray(p.indices()), p.palette(), rows, cols, w));
            }
        }
        return out;
    }

    @Test
    void theRegistryHasOneFormatPerWeightType() {
        Set<Integer> ids = new HashSet<>();
        Set<String> encodings = new HashSet<>();
        int weights = 0;
        for (DType t : DType.values()) {
            if (!t.isWeight()) {
                assertThrows(IllegalArgumentException.class, t::format);
                continue;
            }
            weights++;
            assertSame(t, t.format().dtype());
            int id = t.format().ggmlType();
            if (id >= 0) assertEquals(true, ids.add(id), t + ": ggml id " + id + " used twice");
            String encoding = t.format().ggufEncoding();
            assertEquals(id < 0, encoding != null, t + ": stored in GGUF either as a ggml type or under an encoding");
            if (encoding != null) assertEquals(true, encodings.add(encoding), t + ": encoding " + encoding + " used twice");
            else assertThrows(UnsupportedOperationException.class, () -> t.format().readGguf(null, "w"));
        }
        assertEquals(Set.of("pal", "q8_row"), encodings);
        assertEquals(7, weights);
        assertEquals(-1, DType.Q8_ROW.format().ggmlType());
        assertEquals(-1, DType.PAL.format().ggmlType());
        assertEquals(8, DType.Q8_0.format().ggmlType());
    }

    @Test
    void sizesOfARow() {
        assertEquals(4 * 37, DType.F32.format().rowBytes(37, null));
        assertEquals(2 * 37, DType.BF16.format().rowBytes(37, null));
        assertEquals(3 * 34, DType.Q8_0.format().rowBytes(96, null));
        assertEquals(3 * 18, DType.Q4_0.format().rowBytes(96, null));
        assertEquals(4 + 37, DType.Q8_ROW.format().rowBytes(37, null));
        assertEquals(DType.q8RowBytes(37), DType.Q8_ROW.format().rowBytes(37, null));
        assertEquals(28, DType.PAL.format().rowBytes(37, new Palette(6, 1, new float[64])));
        assertThrows(IllegalArgumentException.class, () -> DType.Q8_0.format().checkRow("w", 33));
        assertThrows(IllegalArgumentException.class, () -> DType.Q4_0.format().checkRow("w", 16));
        DType.Q8_0.format().checkRow("w", 64);
        DType.F16.format().checkRow("w", 33);
    }

    /** Decoding what was encoded gives the source within each type's rounding. */
    @Test
    void encodeThenDecodeRoundTrips() {
        SplittableRandom r = new SplittableRandom(7);
        for (int[] shape : new int[][] {{5, 64}, {3, 37}, {4, 7}}) {
            int rows = shape[0], cols = shape[1];
            for (Made m : every(r, rows, cols)) {
                float[] back = new float[rows * cols];
                m.format().decodeAll(m.data(), m.palette(), rows, cols, back);
                for (int row = 0; row < rows; row++) {
                    float amax = 0;
                    for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(m.source()[row * cols + c]));
                    for (int c = 0; c < cols; c++) {
                        int i = row * cols + c;
                        float x = m.source()[i];
                        double tol = switch (m.format().dtype()) {
                            case F32 -> 0;
                            case F16 -> Math.abs(x) * 0x1p-11;
                            case BF16 -> Math.abs(x) * 0x1p-8;
                            case Q8_0 -> blockAmax(m.source(), i) / 127 * 0.51 + Math.abs(x) * 1e-3;
                            case Q4_0 -> blockAmax(m.source(), i) / 8 * 1.01 + 1e-6;
                            case Q8_ROW -> amax / 127 * 0.5001 + 1e-12;
                            default -> nearest(m.palette(), row, x);
                        };
                        if (m.format().dtype() == DType.PAL) assertEquals(tol, Math.abs(x - back[i]), 0f, m.label() + " (" + row + "," + c + ")");
                        else assertEquals(x, back[i], tol, m.label() + " (" + row + "," + c + ")");
                    }
                }
            }
        }
    }

    private static float blockAmax(float[] x, int i) {
        float a = 0;
        for (int j = i / 32 * 32; j < i / 32 * 32 + 32; j++) a = Math.max(a, Math.abs(x[j]));
        return a;
    }

    /** Distance from x to the nearest entry of row's table. */
    private static float nearest(Palette p, int row, float x) {
        int base = row / p.groupSize() << p.bits();
        float best = Float.POSITIVE_INFINITY;
        for (int e = 0; e < p.entries(); e++) best = Math.min(best, Math.abs(x - p.lut()[base + e]));
        return best;
    }

    /** The whole-tensor decoder and row decoding agree; encode rejects a size that is not rows x cols. */
    @Test
    void decodeAllIsRowByRow() {
        SplittableRandom r = new SplittableRandom(3);
        for (Made m : every(r, 6, 96)) {
            float[] all = new float[6 * 96], rows = new float[6 * 96];
            m.format().decodeAll(m.data(), m.palette(), 6, 96, all);
            for (int row = 0; row < 6; row++) m.format().decodeRow(m.data(), m.palette(), 96, row, 0, 96, rows, row * 96);
            assertArrayEquals(rows, all, 0f, m.label());
            if (m.format() != PalFormat.INSTANCE) assertThrows(IllegalArgumentException.class, () -> m.format().encode(new float[10], 3, 4), m.label());
        }
        assertThrows(IllegalArgumentException.class, () -> PalFormat.INSTANCE.encode(new float[4], 2, 2));
    }

    /** The vectorised decoder gives the reference decoder's values, bit for bit, on any column range. */
    @Test
    void vectorDecodeEqualsScalarDecode() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "Vector API not available");
        SplittableRandom r = new SplittableRandom(5);
        float[] tmp = new float[32];
        for (int cols : new int[] {32, 96, 160, 33, 7, 1, 61}) {
            int rows = 1 + r.nextInt(7);
            for (Made m : every(r, rows, cols)) {
                float[] ref = new float[cols];
                for (int t = 0; t < 60; t++) {
                    int row = r.nextInt(rows), c0 = r.nextInt(cols), len = r.nextInt(cols - c0 + 1), off = r.nextInt(5);
                    m.format().decodeRow(m.data(), m.palette(), cols, row, 0, cols, ref, 0);
                    float[] got = new float[off + len + 2];
                    got[off + len] = 42f;
                    m.format().decodeRowVector(m.data(), m.palette(), cols, row, c0, len, got, off, tmp);
                    for (int i = 0; i < len; i++)
                        assertEquals(ref[c0 + i], got[off + i], 0f, m.label() + " " + rows + "x" + cols + " row " + row + " col " + (c0 + i));
                    assertEquals(42f, got[off + len], 0f, m.label() + ": wrote past the range");
                }
            }
        }
    }
}
