package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;

/** Facts about the Vector API on this machine; loaded only when {@link Simd#available()}. */
final class VectorInfo {
    private VectorInfo() {}

    static String describe() {
        var s = FloatVector.SPECIES_PREFERRED;
        return "Vector API, " + s.vectorBitSize() + "-bit float vectors (" + s.length() + " lanes)";
    }
}
