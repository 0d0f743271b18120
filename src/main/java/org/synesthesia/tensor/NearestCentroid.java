package org.synesthesia.tensor;

import java.util.Arrays;

/**
 * The index of the nearest entry of one lookup table ({@code entries} centroids, any order, duplicates allowed) for
 * each value: the entry at the least exact distance; between two equally near values the smaller; among equal
 * entries the first. The table's distinct values {@code u_0 < ... < u_(q-1)} are split at their midpoints
 * {@code m_j = (u_j + u_(j+1)) / 2} (exact in double for float entries): v maps to {@code u_i}, i = the number of
 * midpoints below v, found by a branch-free binary search over the midpoints padded to a power of two with +Inf.
 */
final class NearestCentroid {
    private final double[] mid;   // P = power of two >= q - 1 midpoints, +Inf past q - 1
    private final int[] index;    // index[i] = the first table position holding u_i

    NearestCentroid(float[] lut, int t, int entries) {
        float[] u = Arrays.copyOfRange(lut, t, t + entries);
        Arrays.sort(u);
        int q = 0;
        for (int e = 0; e < entries; e++) if (q == 0 || u[e] != u[q - 1]) u[q++] = u[e];
        index = new int[q];
        for (int i = 0; i < q; i++) {
            int e = 0;
            while (lut[t + e] != u[i]) e++;
            index[i] = e;
        }
        int p = Integer.highestOneBit(Math.max(1, q - 1));
        if (p < q - 1) p <<= 1;
        mid = new double[p];
        Arrays.fill(mid, Double.POSITIVE_INFINITY);
        for (int i = 0; i + 1 < q; i++) mid[i] = ((double) u[i] + u[i + 1]) / 2;
    }

    /** Table position of the entry nearest {@code v}. */
    int index(float v) {
        double x = v;
        int pos = 0;
        for (int step = mid.length >>> 1; step > 0; step >>>= 1) pos += mid[pos + step - 1] < x ? step : 0;
        pos += mid[pos] < x ? 1 : 0;
        return index[pos];
    }

    /** The plain reference: first table position at the least exact distance, the smaller value on a tie. */
    static int reference(float[] lut, int t, int entries, float v) {
        int best = 0;
        for (int e = 1; e < entries; e++) {
            double d = Math.abs((double) v - lut[t + e]), b = Math.abs((double) v - lut[t + best]);
            if (d < b || (d == b && lut[t + e] < lut[t + best])) best = e;
        }
        return best;
    }
}
