package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * A 2-D convolution of the VAE / TAESD (PyTorch {@code nn.Conv2d}, square kernel, zero padding):
 * x [N, C, H, W] -> y [N, O, OH, OW], {@code y = conv(x, weight [O, C, k, k]) + bias}. The weight stays in its
 * stored type; the bias (O floats) is read onto the heap.
 */
final class VaeConv2d {
    final String name;
    final WeightMatrix weight;
    final float[] bias;
    final int in;
    final int out;
    final int kernel;
    final int stride;
    final int pad;

    private VaeConv2d(String name, WeightMatrix weight, float[] bias, int in, int out, int kernel, int stride, int pad) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    /**
     * Loads {@code prefix.weight} [out, in, k, k] (or [out, in] for k = 1, as a Linear) and, when {@code hasBias},
     * {@code prefix.bias} [out]; shapes are checked against the expected channels.
     */
    static VaeConv2d load(VaeWeights w, String prefix, int in, int out, int kernel, int stride, int pad, boolean hasBias) {
        StoredTensor t = w.get(prefix + ".weight");
        long[] s = t.shape();
        boolean ok = s.length == 4 ? s[0] == out && s[1] == in && s[2] == kernel && s[3] == kernel
                : s.length == 2 && kernel == 1 && s[0] == out && s[1] == in;
        if (!ok)
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString()
                    + ", expected [" + out + ", " + in + ", " + kernel + ", " + kernel + "]");
        float[] b = hasBias ? w.vector(prefix + ".bias", out) : null;
        return new VaeConv2d(prefix, WeightMatrix.of(t), b, in, out, kernel, stride, pad);
    }

    Tensor apply(Tensor x) {
        if (x.dim(1) != in)
            throw new IllegalArgumentException(name + ": input has " + x.dim(1) + " channels, expected " + in);
        return Conv.conv2d(x, weight, kernel, kernel, bias, stride, pad, 1, 1);
    }
}
