package org.synesthesia.nn;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d(in, out, kernel, stride, padding, dilation, groups)} on x [N, in, L] -> [N, out, LO],
 * {@code LO = (L + 2 padding - dilation (kernel - 1) - 1) / stride + 1}, the weight in its stored type.
 *
 * @param weight [out, in/groups * kernel] (PyTorch's [out, in/groups, kernel] flattened)
 * @param bias   [out], or null
 */
public record Conv1d(WeightMatrix weight, float[] bias, int kernel, int stride, int padding, int dilation, int groups) {
    public Conv1d {
        if (kernel < 1 || stride < 1 || padding < 0 || dilation < 1 || groups < 1)
            throw new IllegalArgumentException("Conv1d kernel " + kernel + ", stride " + stride + ", padding " + padding + ", dilation " + dilation + ", groups " + groups);
        if (bias != null && bias.length != weight.rows())
            throw new IllegalArgumentException("Conv1d weight of " + weight.rows() + " outputs, bias [" + bias.length + "]");
    }

    /** No dilation, one group. */
    public Conv1d(WeightMatrix weight, float[] bias, int kernel, int stride, int padding) {
        this(weight, bias, kernel, stride, padding, 1, 1);
    }

    /** {@code prefix.weight} [out, in, kernel] and {@code prefix.bias} [out]; no dilation, one group. */
    public static Conv1d bind(Weights w, String prefix, int out, int in, int kernel, int stride, int padding) {
        return new Conv1d(w.matrix(prefix + ".weight", out, in, kernel), w.vector(prefix + ".bias", out), kernel, stride, padding);
    }

    public int outChannels() {
        return weight.rows();
    }

    /** x [N, in, L] -> [N, out, LO]. */
    public Tensor forward(Tensor x) {
        return Conv.conv1d(x, weight, kernel, bias, stride, padding, dilation, groups);
    }

    /** The output length LO for an input of length {@code L}. */
    public int outLength(int L) {
        return (L + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /**
     * One sample x [in, L] (row-major, one group) -> y [out, LO]: the im2col rows [LO, in kernel] times W^T through the
     * matrix-vector kernel. For streaming steps (a few output positions) where the tiled GEMM's packing dominates.
     */
    public float[] forwardStep(float[] x, int L) {
        if (groups != 1) throw new IllegalArgumentException("Conv1d.forwardStep: one group only, not " + groups);
        int cols = weight.cols(), in = cols / kernel, lo = outLength(L), out = weight.rows();
        if (x.length < in * L) throw new IllegalArgumentException("Conv1d.forwardStep: x has " + x.length + " values, expected [" + in + ", " + L + "]");
        float[] im = new float[lo * cols];
        for (int p = 0; p < lo; p++)
            for (int c = 0; c < in; c++)
                for (int t = 0; t < kernel; t++) {
                    int at = p * stride + t * dilation - padding;
                    if (at >= 0 && at < L) im[p * cols + c * kernel + t] = x[c * L + at];
                }
        float[] yt = Gemm.linear(im, lo, weight, bias); // [LO, out]
        if (lo == 1) return yt;
        float[] y = new float[out * lo];
        for (int p = 0; p < lo; p++)
            for (int o = 0; o < out; o++) y[o * lo + p] = yt[p * out + o];
        return y;
    }
}
