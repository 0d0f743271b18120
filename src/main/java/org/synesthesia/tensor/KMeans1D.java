package org.synesthesia.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Exact one-dimensional k-means (the centroids of a palettized weight's lookup table): k-means++ seeding, then
 * Lloyd iterations until no value changes cluster.
 *
 * <p>In one dimension the values nearest each centroid form a contiguous run of the sorted data, split where a
 * value becomes strictly nearer the next centroid (ties go to the lower centroid, as an argmin that keeps the
 * first minimum does). The values are sorted once and collapsed to distinct values {@code x_i} with counts
 * {@code w_i}; prefix sums of {@code w}, {@code w*x} and {@code w*x^2} give every cluster's count, mean and
 * squared distance to any point in O(1). A Lloyd step is then k binary searches (O(k log n)); a k-means++ draw
 * picks a cluster by its D^2 mass {@code sum w (x - c)^2} and the value inside it by binary search on the
 * cumulative D^2, also from the prefix sums.
 */
public final class KMeans1D {
    private KMeans1D() {}

    /**
     * {@code k} centroids, ascending, of {@code values[from, to)}: k-means++ seeded by {@code seed}, then at most
     * {@code maxIterations} Lloyd steps. With fewer than k distinct values, those values padded by repeating the
     * largest; with no values, k zeros.
     *
     * @throws IllegalArgumentException if a value is NaN or infinite, or k or the range is invalid
     */
    public static float[] centroids(float[] values, int from, int to, int k, long seed, int maxIterations) {
        Points p = Points.of(values, from, to, k);
        if (p == null) return new float[k];
        if (p.m <= k) return p.padded(k);
        return p.lloyd(p.seed(k, new SplittableRandom(seed)), maxIterations);
    }

    /**
     * Lloyd iterations from the given initial centres (any order, at least one): at most {@code maxIterations}
     * steps, stopping when no value changes cluster; an empty cluster keeps its centre. Returns the centres
     * ascending. The reference a brute-force Lloyd is tested against.
     */
    static float[] lloyd(float[] values, int from, int to, float[] initial, int maxIterations) {
        if (initial.length == 0) throw new IllegalArgumentException("k-means needs at least one centre");
        Points p = Points.of(values, from, to, initial.length);
        if (p == null) return new float[initial.length];
        return p.lloyd(initial.clone(), maxIterations);
    }

    /** The k-means++ initial centres (ascending) that {@link #centroids} starts Lloyd from, for distinct values > k. */
    static float[] seed(float[] values, int from, int to, int k, long seed) {
        Points p = Points.of(values, from, to, k);
        if (p == null || p.m <= k) throw new IllegalArgumentException("seeding needs more than k distinct values");
        return p.seed(k, new SplittableRandom(seed));
    }

    /** Within-cluster sum of squares of {@code values[from, to)} for {@code centres}, each value at its nearest centre. */
    static double sse(float[] values, int from, int to, float[] centres) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double best = Double.POSITIVE_INFINITY;
            for (float c : centres) best = Math.min(best, Math.abs((double) values[i] - c));
            s += best * best;
        }
        return s;
    }

    /** Sorted distinct values {@code x[0, m)} with prefix sums of counts, and of {@code w*(x-shift)}, {@code w*(x-shift)^2}. */
    private static final class Points {
        final float[] x;
        final int m;
        final int[] cnt;     // cnt[i] = number of values among x[0, i); null when all are distinct (cnt[i] = i)
        final double[] s1;   // s1[i] = sum over x[0, i) of w*(x - shift)
        final double[] s2;   // s2[i] = sum over x[0, i) of w*(x - shift)^2
        final double shift;  // the mean, subtracted to keep the sums small

        private Points(float[] x, int m, int[] cnt, double shift) {
            this.x = x;
            this.m = m;
            this.cnt = cnt;
            this.shift = shift;
            s1 = new double[m + 1];
            s2 = new double[m + 1];
            double a = 0, b = 0;
            for (int i = 0; i < m; i++) {
                double d = x[i] - shift, w = count(i + 1) - count(i);
                a += w * d;
                b += w * d * d;
                s1[i + 1] = a;
                s2[i + 1] = b;
            }
        }

        /** Null when the range is empty. */
        static Points of(float[] values, int from, int to, int k) {
            if (k <= 0) throw new IllegalArgumentException("k-means needs k >= 1, not " + k);
            if (from < 0 || to > values.length || from > to) throw new IllegalArgumentException("range [" + from + ", " + to + ") outside " + values.length + " values");
            int n = to - from;
            if (n == 0) return null;
            float[] x = Arrays.copyOfRange(values, from, to);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (!Float.isFinite(x[i])) throw new IllegalArgumentException("k-means: value " + (from + i) + " is " + x[i] + " (weights must be finite)");
                sum += x[i];
            }
            Arrays.sort(x);
            // collapse equal values (-0 and +0 sort apart but are one value) to distinct x with cumulative counts
            int m = 1;
            for (int i = 1; i < n; i++) if (x[i] != x[i - 1]) m++;
            if (m == n) return new Points(x, n, null, sum / n);
            int[] cnt = new int[m + 1];
            m = 0;
            for (int i = 0; i < n; i++) {
                if (m == 0 || x[i] != x[m - 1]) x[m++] = x[i];
                cnt[m] = i + 1;
            }
            return new Points(Arrays.copyOf(x, m), m, cnt, sum / n);
        }

        /** The distinct values (m <= k), then the largest repeated up to k entries. */
        float[] padded(int k) {
            float[] c = Arrays.copyOf(x, k);
            Arrays.fill(c, m, k, x[m - 1]);
            return c;
        }

        /** Number of values among the distinct values [0, i). */
        int count(int i) {
            return cnt == null ? i : cnt[i];
        }

        /** {@code sum w (x - c)^2} over distinct values [a, b). */
        double mass(int a, int b, double c) {
            double d = c - shift;
            double v = (s2[b] - s2[a]) - 2 * d * (s1[b] - s1[a]) + d * d * (count(b) - count(a));
            return Math.max(0, v);
        }

        /**
         * Writes into {@code start} (length k + 1) the clusters of ascending centres {@code c}: cluster j is the
         * distinct values [start[j], start[j+1]), those whose first-nearest centre is j. A centre equal to the one
         * before it gets an empty cluster.
         */
        void assign(float[] c, int[] start) {
            int k = c.length, lo = 0, j = 0;
            start[0] = 0;
            while (j < k) {
                int nj = j + 1;
                while (nj < k && c[nj] == c[j]) nj++;
                int end = m;
                if (nj < k) {
                    // first value strictly nearer c[nj] than c[j]
                    double cj = c[j], cn = c[nj];
                    int a = lo, b = m;
                    while (a < b) {
                        int mid = (a + b) >>> 1;
                        double v = x[mid];
                        if (Math.abs(v - cj) <= Math.abs(v - cn)) a = mid + 1;
                        else b = mid;
                    }
                    end = a;
                }
                for (int t = j + 1; t <= nj; t++) start[t] = end;
                lo = end;
                j = nj;
            }
        }

        /** Lloyd from {@code c} (reordered ascending in place); returns c. */
        float[] lloyd(float[] c, int maxIterations) {
            int k = c.length;
            Arrays.sort(c);
            int[] start = new int[k + 1], prev = new int[k + 1];
            assign(c, start);
            for (int it = 0; it < maxIterations; it++) {
                for (int j = 0; j < k; j++) {
                    int a = start[j], b = start[j + 1];
                    int w = count(b) - count(a);
                    if (w > 0) c[j] = (float) (shift + (s1[b] - s1[a]) / w);
                }
                Arrays.sort(c); // means of consecutive runs are already ascending; guards rounding ties
                int[] t = prev; prev = start; start = t;
                assign(c, start);
                if (Arrays.equals(start, prev)) break;
            }
            return c;
        }

        /** k-means++: the first centre a uniformly drawn value, each next one drawn with probability ~ D(x)^2. */
        float[] seed(int k, SplittableRandom rnd) {
            int first = rnd.nextInt(count(m));
            float[] c = new float[k];
            c[0] = x[cnt == null ? first : upper(cnt, 0, m, first) - 1]; // the distinct value at sorted position first
            double[] massOf = new double[k];
            for (int t = 1; t < k; t++) {
                float[] chosen = Arrays.copyOf(c, t);
                Arrays.sort(chosen);
                int[] st = new int[t + 1];
                assign(chosen, st);
                double total = 0;
                for (int j = 0; j < t; j++) total += (massOf[j] = mass(st[j], st[j + 1], chosen[j]));
                int pick = -1;
                if (total > 0) {
                    double r = rnd.nextDouble() * total;
                    int j = 0;
                    while (j < t - 1 && r >= massOf[j]) r -= massOf[j++];
                    // first value i in cluster j with mass(st[j], i + 1) > r
                    int a = st[j], b = st[j + 1];
                    while (a < b) {
                        int mid = (a + b) >>> 1;
                        if (mass(st[j], mid + 1, chosen[j]) > r) b = mid;
                        else a = mid + 1;
                    }
                    pick = Math.min(a, st[j + 1] - 1);
                    if (pick < st[j] || x[pick] == chosen[j]) pick = -1;
                }
                if (pick < 0) pick = farthest(chosen, st);
                c[t] = x[pick];
            }
            Arrays.sort(c);
            return c;
        }

        /** The value farthest from its nearest centre (an end of some cluster); rounding fallback of the D^2 draw. */
        private int farthest(float[] chosen, int[] st) {
            int best = 0;
            double far = -1;
            for (int j = 0; j < chosen.length; j++) {
                for (int i : new int[] {st[j], st[j + 1] - 1}) {
                    if (i < st[j] || i >= st[j + 1]) continue;
                    double d = Math.abs((double) x[i] - chosen[j]);
                    if (d > far) { far = d; best = i; }
                }
            }
            return best;
        }

        /** First index i in [lo, hi] with a[i] > v (a ascending). */
        private static int upper(int[] a, int lo, int hi, int v) {
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (a[mid] > v) hi = mid;
                else lo = mid + 1;
            }
            return lo;
        }
    }
}
