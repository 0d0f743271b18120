package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PeakProbe}'s vector chunk: {@link PeakProbe#CHAINS} chains {@code a_i = a_i * m + c} (one FMA per lane) over
 * vectors of {@code SPECIES_PREFERRED}, {@link PeakProbe#ITERATIONS} times; returns the sum of every chain's lanes.
 * Loaded only when {@link Simd#available()}.
 */
final class PeakProbeVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float M = 1f - 0x1p-23f, C = 0x1p-23f;

    private PeakProbeVector() {}

    static int lanes() {
        return S.length();
    }

    static float chunk(float bias) {
        FloatVector m = FloatVector.broadcast(S, M), c = FloatVector.broadcast(S, C);
        FloatVector a0 = FloatVector.broadcast(S, 1f + bias), a1 = FloatVector.broadcast(S, 1.01f);
        FloatVector a2 = FloatVector.broadcast(S, 1.02f), a3 = FloatVector.broadcast(S, 1.03f);
        FloatVector a4 = FloatVector.broadcast(S, 1.04f), a5 = FloatVector.broadcast(S, 1.05f);
        FloatVector a6 = FloatVector.broadcast(S, 1.06f), a7 = FloatVector.broadcast(S, 1.07f);
        FloatVector a8 = FloatVector.broadcast(S, 1.08f), a9 = FloatVector.broadcast(S, 1.09f);
        FloatVector a10 = FloatVector.broadcast(S, 1.10f), a11 = FloatVector.broadcast(S, 1.11f);
        for (int i = 0; i < PeakProbe.ITERATIONS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
