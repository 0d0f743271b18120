package org.synesthesia.vocoder;

import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;

/**
 * A convolution weight {@code name.weight}, or its weight-norm parametrisation ({@code torch.nn.utils.weight_norm},
 * dim 0) folded at load: {@code w[r, ...] = g[r] * v[r, ...] / ||v[r, ...]||}, the norm over all dims but dim 0
 * (the output channel of a Conv1d weight [out, in, k], the INPUT channel of a ConvTranspose1d weight [in, out, k]).
 * The folded weight is F32; an already folded {@code weight} is used in its stored type.
 */
final class WeightNorm {
    private WeightNorm() {}

    /** The weight of module {@code module} of {@code shape} as a matrix [shape[0], product of the rest]. */
    static WeightMatrix matrix(Weights w, String module, long... shape) {
        if (w.isRandom() || w.has(module + ".weight") || !w.has(module + ".weight_v")) return w.matrix(module + ".weight", shape);
        int rows = Math.toIntExact(shape[0]);
        float[] g = w.get(module + ".weight_g", rows, 1, 1).toFloats();
        StoredTensor vt = w.get(module + ".weight_v", shape);
        float[] v = vt.toFloats();
        int cols = v.length / rows;
        return WeightMatrix.of(fold(g, v, rows, cols), rows, cols);
    }

    /**
     * {@code v * (g / ||v||)} row by row over v [rows, cols] in float as PyTorch's {@code _weight_norm} computes it
     * (the norm summed in double, then rounded to float); returns a new array.
     */
    static float[] fold(float[] g, float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < cols; c++) ss += (double) v[r * cols + c] * v[r * cols + c];
            float s = g[r] / (float) Math.sqrt(ss);
            for (int c = 0; c < cols; c++) out[r * cols + c] = v[r * cols + c] * s;
        }
        return out;
    }
}
