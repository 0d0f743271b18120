package org.synesthesia.nn;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * PyTorch {@code nn.Conv2d} with a square kernel k, stride s, zero padding p (dilation 1, one group):
 * x [N, in, H, W] -> y [N, out, (H + 2p - k)/s + 1, (W + 2p - k)/s + 1], {@code y = conv(x, weight [out, in, k, k]) + bias}.
 * The weight stays a {@link WeightMatrix} [out, in*k*k] over its stored bytes ({@code kernel.Conv} runs im2col + GEMM,
 * a 1x1 stride-1 convolution as one GEMM); the bias, if any, is read onto the heap.
 */
public final class Conv2d {
    private final String name;
    private final int in, out, kernel, stride, padding;
    private final WeightMatrix weight;
    private final float[] bias; // null: no bias

    public Conv2d(String name, int in, int out, int kernel, int stride, int padding, WeightMatrix weight, float[] bias) {
        if (weight.rows() != out || weight.cols() != (long) in * kernel * kernel)
            throw new IllegalArgumentException(name + ": weight is [" + weight.rows() + ", " + weight.cols() + "], expected [" + out + ", " + in * kernel * kernel + "]");
        this.name = name;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * {@code name.weight} [out, in, k, k] (a 1x1 kernel also as a Linear's [out, in], the same bytes), then with
     * {@code hasBias} {@code name.bias} [out].
     */
    public static Conv2d load(Weights w, String name, int in, int out, int kernel, int stride, int padding, boolean hasBias) {
        WeightMatrix m = kernel == 1 && !w.isRandom() ? w.linear(name + ".weight", out, in) : w.conv(name + ".weight", out, in, kernel);
        float[] b = hasBias ? w.vector(name + ".bias", out) : null;
        return new Conv2d(name, in, out, kernel, stride, padding, m, b);
    }

    public String name() { return name; }

    public int inChannels() { return in; }

    public int outChannels() { return out; }

    /** x [N, in, H, W] -> a new tensor [N, out, OH, OW]. */
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in)
            throw new IllegalArgumentException(name + ": input has shape " + java.util.Arrays.toString(x.shape()) + ", expected [N, " + in + ", H, W]");
        return Conv.conv2d(x, weight, kernel, kernel, bias, stride, padding, 1, 1);
    }

    /** {@link #forward(Tensor)}, the output captured under this convolution's name. */
    public Tensor forward(Tensor x, Tracer tracer) {
        Tensor y = forward(x);
        tracer.capture(name, y);
        return y;
    }
}
