package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Vector API parts of {@link Conv}; loaded only when {@link Simd#available()}. */
final class ConvVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    /** Lane i takes lane i/2 (the low half of a vector, each value twice) and lane L/2 + i/2 (the high half). */
    private static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(S, i -> i / 2);
    private static final VectorShuffle<Float> HIGH = VectorShuffle.fromOp(S, i -> L / 2 + i / 2);

    private ConvVector() {}

    /**
     * Nearest-neighbour 2x upsampling of NC planes of H x W at {@code x[xOff..]}: y[p, i, j] = x[p, i/2, j/2].
     * Each input row is widened once (every value twice, by lane shuffles) and the output row copied below it.
     */
    static float[] upsampleNearest2x(float[] x, int xOff, int NC, int H, int W) {
        java.util.Objects.checkFromIndexSize(xOff, NC * H * W, x.length);
        float[] y = new float[Math.toIntExact(4L * NC * H * W)];
        int W2 = 2 * W;
        Parallel.forRange(NC * H, Math.max(1, 8192 / Math.max(1, W)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int src = xOff + r * W, dst = 2 * r * W2;
                int j = 0;
                for (int end = W - L; j <= end; j += L) {
                    FloatVector v = FloatVector.fromArray(S, x, src + j);
                    v.rearrange(LOW).intoArray(y, dst + 2 * j);
                    v.rearrange(HIGH).intoArray(y, dst + 2 * j + L);
                }
                for (; j < W; j++) {
                    float v = x[src + j];
                    y[dst + 2 * j] = v;
                    y[dst + 2 * j + 1] = v;
                }
                System.arraycopy(y, dst, y, dst + W2, W2);
            }
        });
        return y;
    }
}
