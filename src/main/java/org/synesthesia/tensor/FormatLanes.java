package org.synesthesia.tensor;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the formats' vectorised decoders share. Loaded only by those decoders (each format's nested
 * {@code Vec} class), which run only where the Vector API is available.
 */
final class FormatLanes {
    private FormatLanes() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    /** L shorts (when a shape of 16 * L bits exists; else a different length, and the scalar loops serve). */
    static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, 16 * L)));
    /** L bytes, for the byte-coded types (null below 8 lanes: no 32-bit shape, the scalar loops serve). */
    static final VectorSpecies<Byte> BS = L >= 8 && L <= 32 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L)) : null;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
}
