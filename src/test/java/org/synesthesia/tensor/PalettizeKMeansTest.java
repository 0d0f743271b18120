package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Quantize#palettizeKMeans}: k-means tables, nearest-centroid indices, and the SNR they buy. */
class PalettizeKMeansTest {
    /** Gaussian weights [rows, cols], row r scaled by 1 + r % 4 (output channels of different magnitude). */
    private static float[] gaussian(long seed, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            double u = 1 - r.nextDouble(), v = r.nextDouble();
            w[i] = (float) (0.02 * (1 + (i / cols) % 4) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return w;
    }

    private static float[] decode(Quantize.Palettized p, int rows, int cols) {
        StoredTensor t = new StoredTensor("w", DType.PAL, new long[] {rows, cols}, MemorySegment.ofArray(p.indices()), p.palette(), "test");
        return t.toFloats();
    }

    private static double snr(float[] w, int rows, int cols, int bits, int group) {
        return Snr.db(w, decode(Quantize.palettizeKMeans(w, rows, cols, bits, group, 1), rows, cols));
    }

    @Test
    void everyValueDecodesToItsNearestCentroid() {
        int rows = 12, cols = 37;
        float[] w = gaussian(4, rows, cols);
        for (int bits : new int[] {2, 4, 6, 8}) {
            for (int group : new int[] {rows, 4, 1}) {
                var p = Quantize.palettizeKMeans(w, rows, cols, bits, group, 99);
                assertEquals(bits, p.palette().bits());
                assertEquals(group, p.palette().groupSize());
                assertEquals(rows / group << bits, p.palette().lut().length);
                assertEquals(rows * Palette.rowBytes(cols, bits), p.indices().length);
                float[] d = decode(p, rows, cols);
                for (int r = 0; r < rows; r++) {
                    int t = r / group << bits;
                    float[] lut = p.palette().lut();
                    // the table is a k-means table of this group's values: ascending
                    for (int e = 1; e < 1 << bits; e++) assertTrue(lut[t + e - 1] <= lut[t + e]);
                    for (int c = 0; c < cols; c++) {
                        float x = w[r * cols + c];
                        double best = Double.POSITIVE_INFINITY;
                        for (int e = 0; e < 1 << bits; e++) best = Math.min(best, Math.abs((double) x - lut[t + e]));
                        assertEquals(best, Math.abs((double) x - d[r * cols + c]), 0, "bits=" + bits + " group=" + group + " (" + r + ", " + c + ")");
                    }
                }
                // the tables are exactly KMeans1D's over each group, seeded per group
                float[] g0 = KMeans1D.centroids(w, 0, group * cols, 1 << bits, Quantize.groupSeed(99, 0), Quantize.KMEANS_MAX_ITERATIONS);
                for (int e = 0; e < 1 << bits; e++) assertEquals(g0[e], p.palette().lut()[e]);
            }
        }
    }

    @Test
    void moreBitsMoreSnrAndKMeansBeatsUniform() {
        int rows = 64, cols = 300;
        float[] w = gaussian(5, rows, cols);
        double s2 = snr(w, rows, cols, 2, rows), s4 = snr(w, rows, cols, 4, rows), s6 = snr(w, rows, cols, 6, rows), s8 = snr(w, rows, cols, 8, rows);
        assertTrue(s8 > s6 && s6 > s4 && s4 > s2, "SNR pal8 " + s8 + " pal6 " + s6 + " pal4 " + s4 + " pal2 " + s2);
        assertTrue(s4 > 15 && s8 > 35, "pal4 " + s4 + " dB, pal8 " + s8 + " dB");
        for (int group : new int[] {rows, 8}) {
            var uniform = Quantize.palettize(w, rows, cols, 4, group, Quantize.uniformLut(w, rows, cols, 4, group));
            double u = Snr.db(w, decode(uniform, rows, cols));
            double k = snr(w, rows, cols, 4, group);
            assertTrue(k >= u, "group " + group + ": k-means " + k + " dB < uniform " + u + " dB");
        }
    }

    @Test
    void smallerGroupsNoWorseThanOneTable() {
        int rows = 32, cols = 200;
        float[] w = gaussian(6, rows, cols);
        for (int bits : new int[] {2, 4}) {
            double tensor = snr(w, rows, cols, bits, rows), g8 = snr(w, rows, cols, bits, 8), g4 = snr(w, rows, cols, bits, 4), g1 = snr(w, rows, cols, bits, 1);
            assertTrue(g8 >= tensor && g4 >= tensor && g1 >= tensor, "bits " + bits + ": tensor " + tensor + ", groups of 8 " + g8 + ", 4 " + g4 + ", 1 " + g1);
        }
    }

    @Test
    void deterministicAndValidated() {
        int rows = 8, cols = 50;
        float[] w = gaussian(7, rows, cols);
        var a = Quantize.palettizeKMeans(w, rows, cols, 6, 2, 17);
        var b = Quantize.palettizeKMeans(w, rows, cols, 6, 2, 17);
        assertArrayEquals(a.indices(), b.indices());
        assertArrayEquals(a.palette().lut(), b.palette().lut());
        assertThrows(IllegalArgumentException.class, () -> Quantize.palettizeKMeans(w, rows, cols, 4, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> Quantize.palettizeKMeans(w, rows, cols, 3, rows, 1));
        assertThrows(IllegalArgumentException.class, () -> Quantize.palettizeKMeans(w, rows, cols + 1, 4, rows, 1));
        float[] bad = w.clone();
        bad[5] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> Quantize.palettizeKMeans(bad, rows, cols, 4, rows, 1));
    }
}
