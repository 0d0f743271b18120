package org.synesthesia.nn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Tensor;

/** Small fixtures for the nn layer tests: F32 tensors put into an in-memory checkpoint, random inputs, naive ops. */
final class LayerTesting {
    private LayerTesting() {}

    static void put(MemoryWeightSource ms, String name, float[] v, long... shape) {
        MemorySegment seg = ms.allocate(name, DType.F32, shape);
        for (int i = 0; i < v.length; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v[i]);
    }

    static float[] floats(MemoryWeightSource ms, String name) {
        return ms.get(name).toFloats();
    }

    static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

    static Tensor random(SplittableRandom r, int... shape) {
        return Tensor.of(random(r, (int) Tensor.numel(shape)), shape);
    }

    /** y [M, out] = x [M, in] W^T + b, in double. */
    static float[] linear(float[] x, int M, float[] w, float[] b, int out, int in) {
        float[] y = new float[M * out];
        for (int m = 0; m < M; m++)
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) s += (double) x[m * in + i] * w[o * in + i];
                y[m * out + o] = (float) s;
            }
        return y;
    }

    /** LayerNorm over rows of dim values (biased variance), in double. */
    static float[] layerNorm(float[] x, int rows, int dim, float[] g, float[] b, double eps) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < dim; i++) mean += x[r * dim + i];
            mean /= dim;
            for (int i = 0; i < dim; i++) var += (x[r * dim + i] - mean) * (x[r * dim + i] - mean);
            var /= dim;
            for (int i = 0; i < dim; i++) y[r * dim + i] = (float) ((x[r * dim + i] - mean) / Math.sqrt(var + eps) * g[i] + b[i]);
        }
        return y;
    }

    static double silu(double v) {
        return v / (1 + Math.exp(-v));
    }
}
