package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The quantizers round-trip through their {@link WeightFormat}'s reference decoder within each format's step. */
class QuantizeTest {
    private static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale * (1 + (i / 32) % 5));
        return x;
    }

    private static short shortAt(byte[] b, int i) {
        return MemorySegment.ofArray(b).get(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i);
    }

    @Test
    void halfAndBfloat16() {
        float[] x = {0f, -0f, 1f, -2.5f, 65504f, 1e-7f, Float.POSITIVE_INFINITY, Float.NaN, 1.00390625f, Float.intBitsToFloat(0x3F818000)};
        byte[] h = Quantize.toF16(x), b = Quantize.toBF16(x);
        for (int i = 0; i < x.length; i++) assertEquals(Float.floatToFloat16(x[i]), shortAt(h, i));
        assertEquals((short) 0x3f80, shortAt(b, 2));
        assertEquals((short) 0xc020, shortAt(b, 3));
        assertEquals((short) 0x3f80, shortAt(b, 8), "tie rounds to even (down)");
        assertEquals((short) 0x3f82, shortAt(b, 9), "tie rounds to even (up)");
        assertTrue(Float.isNaN(Float.intBitsToFloat(shortAt(b, 7) << 16)));
        assertEquals(Float.POSITIVE_INFINITY, Float.intBitsToFloat(shortAt(b, 6) << 16));
    }

    @Test
    void q8RowWithinHalfAStepPerRow() {
        int rows = 7, cols = 37;
        float[] x = random(5, rows * cols, 2);
        x[3 * cols + 5] = 0;
        for (int c = 0; c < cols; c++) x[4 * cols + c] = 0; // an all-zero row: scale 0, values 0
        byte[] q = Quantize.toQ8Row(x, rows, cols);
        assertEquals(rows * (4 + cols), q.length);
        StoredTensor t = new StoredTensor("w", DType.Q8_ROW, new long[] {rows, cols}, MemorySegment.ofArray(q), "mem");
        float[] back = t.toFloats();
        for (int r = 0; r < rows; r++) {
            float amax = 0;
            for (int c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(x[r * cols + c]));
            float step = amax / 127f;
            assertEquals(step, MemorySegment.ofArray(q).get(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * (4 + cols)));
            for (int c = 0; c < cols; c++) assertEquals(x[r * cols + c], back[r * cols + c], step / 2 * 1.0001f + 1e-12f, "row " + r + " col " + c);
        }
        assertEquals(0f, back[3 * cols + 5]);
        assertThrows(IllegalArgumentException.class, () -> Quantize.toQ8Row(x, rows, cols + 1));
    }

    @Test
    void q8_0WithinHalfAStep() {
        float[] x = random(1, 32 * 40, 3);
        x[5] = 0; // and a block of zeros
        for (int i = 64; i < 96; i++) x[i] = 0;
        byte[] q = Quantize.toQ8_0(x);
        assertEquals(34 * 40, q.length);
        float[] back = new float[x.length];
        Q8_0Format.INSTANCE.decodeAll(MemorySegment.ofArray(q), null, 1, x.length, back);
        for (int b = 0; b < 40; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
            float d = amax / 127;
            for (int i = 0; i < 32; i++) {
                int k = 32 * b + i;
                assertEquals(x[k], back[k], 0.5 * d + Math.abs(x[k]) * 1e-3 + 1e-30, "element " + k);
            }
        }
    }

    @Test
    void q4_0WithinOneStep() {
        float[] x = random(2, 32 * 40, 1);
        byte[] q = Quantize.toQ4_0(x);
        assertEquals(18 * 40, q.length);
        float[] back = new float[x.length];
        Q4_0Format.INSTANCE.decodeAll(MemorySegment.ofArray(q), null, 1, x.length, back);
        for (int b = 0; b < 40; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
            float d = amax / 8;
            for (int i = 0; i < 32; i++) {
                int k = 32 * b + i;
                // the extreme of the block is exact (-8 d); its opposite clamps to 7 d, one step away
                assertEquals(x[k], back[k], (Math.abs(x[k]) == amax ? 0 : d) + amax * 2e-3, "element " + k);
            }
        }
    }

    @Test
    void blockTypesNeedWholeBlocks() {
        assertThrows(IllegalArgumentException.class, () -> Quantize.toQ8_0(new float[33]));
        assertThrows(IllegalArgumentException.class, () -> Quantize.toQ4_0(new float[31]));
    }

    @Test
    void palettizedIndicesAreNearestCentroids() {
        int rows = 6, cols = 13;
        float[] w = random(3, rows * cols, 1);
        for (int bits : new int[] {2, 4, 6, 8}) {
            for (int group : new int[] {rows, 2}) {
                float[] lut = Quantize.uniformLut(w, rows, cols, bits, group);
                var p = Quantize.palettize(w, rows, cols, bits, group, lut);
                assertEquals(rows * Palette.rowBytes(cols, bits), p.indices().length);
                float[] back = new float[cols];
                for (int r = 0; r < rows; r++) {
                    PalFormat.INSTANCE.decodeRow(MemorySegment.ofArray(p.indices()), p.palette(), cols, r, 0, cols, back, 0);
                    int t = r / group << bits;
                    for (int c = 0; c < cols; c++) {
                        float v = w[r * cols + c];
                        float best = Float.POSITIVE_INFINITY;
                        for (int e = 0; e < 1 << bits; e++) best = Math.min(best, Math.abs(v - lut[t + e]));
                        assertEquals(best, Math.abs(v - back[c]), 0f, bits + " bits, group " + group + ", (" + r + "," + c + ")");
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Quantize.uniformLut(w, rows, cols, 4, 4));
    }
}
