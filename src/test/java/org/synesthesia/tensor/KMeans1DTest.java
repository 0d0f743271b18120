package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link KMeans1D} against a plain O(n*k) Lloyd, and the properties of a k-means local optimum. */
class KMeans1DTest {
    /** Gaussian-ish values with some exact duplicates (as a float16 source has). */
    private static float[] data(long seed, int n, boolean duplicates) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double g = r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5; // roughly normal
            x[i] = (float) (g * (1 + (i % 3)));
            if (duplicates) x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i] * 0.05f));
        }
        return x;
    }

    /** Index of the first centre at the least (exact) distance from v. */
    private static int nearest(float[] c, float v) {
        int best = 0;
        for (int j = 1; j < c.length; j++) if (Math.abs((double) v - c[j]) < Math.abs((double) v - c[best])) best = j;
        return best;
    }

    /** Brute-force Lloyd: assign every value to its first-nearest centre, move each centre to its mean (empty: stays). */
    private static float[] bruteLloyd(float[] v, int from, int to, float[] init, int maxIterations) {
        float[] c = init.clone();
        Arrays.sort(c);
        int[] a = new int[to - from];
        for (int i = from; i < to; i++) a[i - from] = nearest(c, v[i]);
        for (int it = 0; it < maxIterations; it++) {
            double[] sum = new double[c.length];
            int[] n = new int[c.length];
            for (int i = from; i < to; i++) { sum[a[i - from]] += v[i]; n[a[i - from]]++; }
            for (int j = 0; j < c.length; j++) if (n[j] > 0) c[j] = (float) (sum[j] / n[j]);
            Arrays.sort(c);
            boolean changed = false;
            for (int i = from; i < to; i++) {
                int b = nearest(c, v[i]);
                if (b != a[i - from]) { a[i - from] = b; changed = true; }
            }
            if (!changed) break;
        }
        return c;
    }

    private static void assertSameFixedPoint(float[] v, int from, int to, float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int j = 0; j < expected.length; j++)
            assertEquals(expected[j], actual[j], 1e-5 * (Math.abs(expected[j]) + 1e-3), what + ": centre " + j);
        for (int i = from; i < to; i++) assertEquals(nearest(expected, v[i]), nearest(actual, v[i]), what + ": value " + i + " changes cluster");
    }

    @Test
    void intervalLloydReachesBruteForceFixedPoint() {
        SplittableRandom r = new SplittableRandom(7);
        int[] sizes = {65, 101, 257, 999, 1537};
        for (int k : new int[] {4, 16, 64}) {
            for (int n : sizes) {
                for (boolean dup : new boolean[] {false, true}) {
                    float[] v = data(31L * n + k + (dup ? 1 : 0), n + 6, dup);
                    int from = 3, to = 3 + n;
                    // from k-means++ seeds and from arbitrary values of the data (some repeated: empty clusters)
                    float[] init = KMeans1D.seed(v, from, to, Math.min(k, n / 4), r.nextLong());
                    float[] crude = new float[k];
                    for (int j = 0; j < k; j++) crude[j] = v[from + r.nextInt(Math.max(1, n / 8))];
                    for (float[] start : new float[][] {init, crude}) {
                        String what = "n=" + n + " k=" + start.length + " dup=" + dup;
                        float[] expected = bruteLloyd(v, from, to, start, 10_000);
                        float[] actual = KMeans1D.lloyd(v, from, to, start, 10_000);
                        assertSameFixedPoint(v, from, to, expected, actual, what);
                        // and step by step
                        for (int it : new int[] {0, 1, 2, 5})
                            assertSameFixedPoint(v, from, to, bruteLloyd(v, from, to, start, it), KMeans1D.lloyd(v, from, to, start, it), what + " after " + it);
                    }
                }
            }
        }
    }

    @Test
    void lloydNeverIncreasesWithinClusterSumOfSquares() {
        float[] v = data(3, 3001, false);
        float[] init = KMeans1D.seed(v, 0, v.length, 16, 5);
        double prev = Double.POSITIVE_INFINITY;
        for (int it = 0; it < 30; it++) {
            double s = KMeans1D.sse(v, 0, v.length, KMeans1D.lloyd(v, 0, v.length, init, it));
            assertTrue(s <= prev * (1 + 1e-12), "iteration " + it + ": " + s + " > " + prev);
            prev = s;
        }
    }

    @Test
    void resultIsALocalOptimum() {
        for (boolean dup : new boolean[] {false, true}) {
            float[] v = data(11, 20_001, dup);
            for (int k : new int[] {4, 16, 64, 256}) {
                float[] c = KMeans1D.centroids(v, 0, v.length, k, 42, 100_000);
                assertEquals(k, c.length);
                for (int j = 1; j < k; j++) assertTrue(c[j - 1] <= c[j], "ascending");
                double[] sum = new double[k];
                int[] n = new int[k];
                for (float x : v) { int j = nearest(c, x); sum[j] += x; n[j]++; }
                for (int j = 0; j < k; j++) {
                    assertTrue(n[j] > 0, "k=" + k + ": centre " + j + " has no values");
                    assertEquals(sum[j] / n[j], c[j], 1e-6 * (Math.abs(c[j]) + 1e-3), "k=" + k + " dup=" + dup + ": centre " + j + " is not its cluster's mean");
                }
            }
        }
    }

    @Test
    void seedingPicksDistinctDataValues() {
        float[] v = data(5, 1000, true);
        float[] s = KMeans1D.seed(v, 0, v.length, 64, 9);
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        for (int j = 0; j < s.length; j++) {
            assertTrue(Arrays.binarySearch(sorted, s[j]) >= 0, "seed " + s[j] + " is a data value");
            if (j > 0) assertTrue(s[j - 1] < s[j], "seeds distinct and ascending");
        }
    }

    @Test
    void kmeansBeatsItsOwnSeedAndUniformCentres() {
        float[] v = data(8, 50_000, false);
        int k = 16;
        float[] c = KMeans1D.centroids(v, 0, v.length, k, 1, 1000);
        float[] s = KMeans1D.seed(v, 0, v.length, k, 1);
        float lo = v[0], hi = v[0];
        for (float x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        float[] u = new float[k];
        for (int j = 0; j < k; j++) u[j] = lo + (hi - lo) * j / (k - 1);
        double e = KMeans1D.sse(v, 0, v.length, c);
        assertTrue(e <= KMeans1D.sse(v, 0, v.length, s));
        assertTrue(e < KMeans1D.sse(v, 0, v.length, u));
    }

    @Test
    void deterministicForASeed() {
        float[] v = data(2, 5000, false);
        float[] a = KMeans1D.centroids(v, 0, v.length, 64, 123, 1000);
        assertArrayEquals(a, KMeans1D.centroids(v, 0, v.length, 64, 123, 1000));
        boolean differs = false;
        for (long seed = 124; seed < 140 && !differs; seed++)
            differs = !Arrays.equals(KMeans1D.seed(v, 0, v.length, 64, 123), KMeans1D.seed(v, 0, v.length, 64, seed));
        assertTrue(differs, "other seeds give other initial centres");
    }

    @Test
    void fewDistinctValues() {
        float[] v = {3, 1, 2, 1, 3, 2, 2, -0f, 0f};
        assertArrayEquals(new float[] {-0f, 1, 2, 3, 3, 3, 3, 3}, KMeans1D.centroids(v, 0, v.length, 8, 1, 100));
        assertArrayEquals(new float[] {-0f, 1, 2, 3}, KMeans1D.centroids(v, 0, v.length, 4, 1, 100));
        assertArrayEquals(new float[] {5, 5, 5, 5}, KMeans1D.centroids(new float[] {5, 5, 5}, 0, 3, 4, 1, 100), "constant");
        assertArrayEquals(new float[] {-2, -2}, KMeans1D.centroids(new float[] {7, -2, 7}, 1, 2, 2, 1, 100), "one value");
        assertArrayEquals(new float[4], KMeans1D.centroids(new float[] {7}, 1, 1, 4, 1, 100), "no values");
        // k = 1 with more distinct values: the mean
        assertEquals(2f, KMeans1D.centroids(new float[] {1, 2, 3}, 0, 3, 1, 1, 100)[0], 1e-7);
        // five distinct values, k = 4: one pair merged, at its mean
        float[] c = KMeans1D.centroids(new float[] {0, 10, 20, 30, 31}, 0, 5, 4, 1, 100);
        assertArrayEquals(new float[] {0, 10, 20, 30.5f}, c);
    }

    @Test
    void rejectsNonFiniteValuesAndBadArguments() {
        var e = assertThrows(IllegalArgumentException.class, () -> KMeans1D.centroids(new float[] {1, Float.NaN, 2}, 0, 3, 2, 1, 10));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KMeans1D.centroids(new float[] {1, Float.NEGATIVE_INFINITY}, 0, 2, 2, 1, 10));
        assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.centroids(new float[] {1, 2}, 0, 2, 0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.centroids(new float[] {1, 2}, 1, 3, 2, 1, 10));
        assertFalse(Float.isNaN(KMeans1D.centroids(new float[] {1, Float.NaN}, 0, 1, 2, 1, 10)[1]), "values outside the range are not read");
    }
}
