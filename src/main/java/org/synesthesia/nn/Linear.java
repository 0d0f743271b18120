package org.synesthesia.nn;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;

/**
 * {@code torch.nn.Linear(in, out)} over row-major rows: {@code y[rows, out] = x[rows, in] W^T + b}, the weight in
 * its stored type.
 *
 * @param weight [out, in]
 * @param bias   [out], or null for {@code bias=False}
 */
public record Linear(WeightMatrix weight, float[] bias) {
    public Linear {
        if (bias != null && bias.length != weight.rows())
            throw new IllegalArgumentException("Linear weight [" + weight.rows() + ", " + weight.cols() + "], bias [" + bias.length + "]");
    }

    /** {@code prefix.weight} [out, in] and, if {@code bias}, {@code prefix.bias} [out]. */
    public static Linear bind(Weights w, String prefix, int out, int in, boolean bias) {
        return new Linear(w.matrix(prefix + ".weight", out, in), bias ? w.vector(prefix + ".bias", out) : null);
    }

    public int in() {
        return weight.cols();
    }

    public int out() {
        return weight.rows();
    }

    /** {@code y[rows, out] = x[rows, in] W^T + b}, contiguous rows from element 0. */
    public void forward(float[] x, int rows, float[] y) {
        forward(x, rows, y, 0);
    }

    /** As {@link #forward(float[], int, float[])}, the output rows written from row {@code yRow0} of y (KV-cache appends). */
    public void forward(float[] x, int rows, float[] y, int yRow0) {
        int n = weight.rows();
        Gemm.linear(x, 0, weight.cols(), rows, weight, bias, y, yRow0 * n, n);
    }
}
