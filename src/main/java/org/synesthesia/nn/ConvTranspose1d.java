package org.synesthesia.nn;

import java.util.Arrays;
import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * {@code torch.nn.ConvTranspose1d(in, out, kernel, stride, padding, output_padding, groups, bias, dilation)} on
 * x [N, in, L] -> y [N, out, LO], {@code LO = (L - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1},
 * {@code y[n, g*out/groups + o, t stride - padding + p dilation] += x[n, c, t] w[c, o, p]} for each input channel c of
 * group g, plus the bias. The weight stays in its stored type.
 *
 * @param name   the module name the output is captured under
 * @param weight [in, out/groups * kernel] (PyTorch's [in, out/groups, kernel] flattened)
 * @param bias   [out], or null
 */
public record ConvTranspose1d(String name, WeightMatrix weight, float[] bias, int kernel, int stride, int padding,
                              int outputPadding, int dilation, int groups) {
    public ConvTranspose1d {
        if (kernel < 1 || stride < 1 || padding < 0 || outputPadding < 0 || dilation < 1 || groups < 1)
            throw new IllegalArgumentException(name + ": ConvTranspose1d kernel " + kernel + ", stride " + stride + ", padding " + padding
                    + ", output padding " + outputPadding + ", dilation " + dilation + ", groups " + groups);
        if (outputPadding >= Math.max(stride, dilation))
            throw new IllegalArgumentException(name + ": output padding " + outputPadding + " must be below the stride " + stride + " or the dilation " + dilation);
        if (weight.rows() % groups != 0 || weight.cols() % kernel != 0)
            throw new IllegalArgumentException(name + ": weight is [" + weight.rows() + ", " + weight.cols() + "], expected [in, out/groups * " + kernel
                    + "] with in divisible by " + groups + " groups");
        if (bias != null && bias.length != weight.cols() / kernel * groups)
            throw new IllegalArgumentException(name + ": weight of " + weight.cols() / kernel * groups + " outputs, bias [" + bias.length + "]");
    }

    /** No output padding, no dilation, one group. */
    public ConvTranspose1d(String name, WeightMatrix weight, float[] bias, int kernel, int stride, int padding) {
        this(name, weight, bias, kernel, stride, padding, 0, 1, 1);
    }

    /** {@code name.weight} [in, out/groups, kernel] in any stored type, then with {@code hasBias} {@code name.bias} [out]. */
    public static ConvTranspose1d bind(Weights w, String name, int in, int out, int kernel, int stride, int padding,
                                       int outputPadding, int dilation, int groups, boolean hasBias) {
        if (groups < 1 || in % groups != 0 || out % groups != 0)
            throw new IllegalArgumentException(name + ": " + in + " inputs and " + out + " outputs in " + groups + " groups");
        WeightMatrix m = w.matrix(name + ".weight", in, out / groups, kernel);
        float[] b = hasBias ? w.vector(name + ".bias", out) : null;
        return new ConvTranspose1d(name, m, b, kernel, stride, padding, outputPadding, dilation, groups);
    }

    /** {@code name.weight} [in, out, kernel] and {@code name.bias} [out]; no output padding, no dilation, one group. */
    public static ConvTranspose1d bind(Weights w, String name, int in, int out, int kernel, int stride, int padding) {
        return bind(w, name, in, out, kernel, stride, padding, 0, 1, 1, true);
    }

    public int inChannels() {
        return weight.rows();
    }

    public int outChannels() {
        return weight.cols() / kernel * groups;
    }

    /** The output length for an input of length L. */
    public int outputLength(int L) {
        return (L - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    /** x [N, in, L] -> a new tensor [N, out, LO]. */
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != inChannels())
            throw new IllegalArgumentException(name + ": input has shape " + Arrays.toString(x.shape()) + ", expected [N, " + inChannels() + ", L]");
        if (outputLength(x.dim(2)) < 1)
            throw new IllegalArgumentException(name + ": input of length " + x.dim(2) + " gives no output with padding " + padding);
        return Conv.convTranspose1d(x, weight, kernel, bias, stride, padding, outputPadding, dilation, groups);
    }

    /** {@link #forward(Tensor)}, the output captured under this module's name. */
    public Tensor forward(Tensor x, Tracer tracer) {
        Tensor y = forward(x);
        tracer.capture(name, y);
        return y;
    }
}
