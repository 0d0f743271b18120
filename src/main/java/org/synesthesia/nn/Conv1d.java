package org.synesthesia.nn;

import org.synesthesia.kernel.Conv;
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
}
