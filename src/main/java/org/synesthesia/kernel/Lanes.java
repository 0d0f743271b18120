package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in one fixed order: {@code v += rotate(v, L/2)}, then {@code L/4}, ..., {@code 1}, lane 0.
 * {@code reduceLanes(ADD)} leaves its order to the implementation, and the JIT-compiled and interpreted forms of
 * one kernel add in different orders, so the same input could round differently before and after warm-up. Loaded
 * only when {@link Simd#available()}.
 */
final class Lanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Rotations by L/2, L/4, ..., 1 lanes. */
    private static final VectorShuffle<Float>[] ROTATIONS = rotations();

    private Lanes() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] rotations() {
        int l = S.length(), n = Integer.numberOfTrailingZeros(l);
        VectorShuffle<Float>[] r = new VectorShuffle[n];
        for (int i = 0, k = l / 2; k >= 1; i++, k /= 2) {
            int by = k;
            r[i] = VectorShuffle.fromOp(S, lane -> (lane + by) % l);
        }
        return r;
    }

    /** Sum of the lanes of {@code v} (of {@link FloatVector#SPECIES_PREFERRED}), the same on every run. */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> r : ROTATIONS) v = v.add(v.rearrange(r));
        return v.lane(0);
    }
}
