package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link BandwidthProbe}'s vector sum: four vectors a step. Loaded only when {@link Simd#available()}. */
final class BandwidthProbeVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private BandwidthProbeVector() {}

    /** {@code sum a[from, to)}. */
    static float sum(float[] a, int from, int to) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + L));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * L));
        }
        float s = Lanes.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < to; i++) s += a[i];
        return s;
    }
}
