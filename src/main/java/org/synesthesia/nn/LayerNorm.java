package org.synesthesia.nn;

import org.synesthesia.kernel.Norm;

/**
 * {@code torch.nn.LayerNorm(d, eps)} over the last dimension of row-major rows [rows, d]:
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, per row.
 *
 * @param weight [d]
 * @param bias   [d]
 */
public record LayerNorm(float[] weight, float[] bias, float eps) {
    /** PyTorch's default epsilon. */
    public static final float DEFAULT_EPS = 1e-5f;

    public LayerNorm {
        if (weight.length != bias.length) throw new IllegalArgumentException("LayerNorm weight [" + weight.length + "], bias [" + bias.length + "]");
    }

    /** {@code weight} and {@code bias} under {@code prefix}, each [d]. */
    public static LayerNorm bind(Weights w, String prefix, int d, float eps) {
        return new LayerNorm(w.vector(prefix + ".weight", d), w.vector(prefix + ".bias", d), eps);
    }

    public int dim() {
        return weight.length;
    }

    /** {@code y[yOff..] = LayerNorm(x[xOff..])} for {@code rows} contiguous rows. */
    public void forward(float[] x, int xOff, float[] y, int yOff, int rows) {
        Norm.layerNorm(x, xOff, y, yOff, rows, weight.length, weight, bias, eps);
    }

    /** {@code y[rows, d] = LayerNorm(x[rows, d])}, both from element 0. */
    public void forward(float[] x, float[] y, int rows) {
        forward(x, 0, y, 0, rows);
    }
}
