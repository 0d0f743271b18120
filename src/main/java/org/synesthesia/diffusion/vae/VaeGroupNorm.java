package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Norm;
import org.synesthesia.tensor.Tensor;

/** {@code nn.GroupNorm(groups, C, eps)} with affine gamma/beta, optionally followed by SiLU, on x [N, C, H, W]. */
final class VaeGroupNorm {
    final int channels;
    final int groups;
    final float eps;
    final float[] gamma;
    final float[] beta;

    private VaeGroupNorm(int channels, int groups, float eps, float[] gamma, float[] beta) {
        this.channels = channels;
        this.groups = groups;
        this.eps = eps;
        this.gamma = gamma;
        this.beta = beta;
    }

    /** Loads {@code prefix.weight} and {@code prefix.bias}, each [channels]. */
    static VaeGroupNorm load(VaeWeights w, String prefix, int channels, int groups, float eps) {
        if (channels % groups != 0)
            throw new IllegalArgumentException(prefix + ": " + channels + " channels do not split into " + groups + " groups");
        return new VaeGroupNorm(channels, groups, eps, w.vector(prefix + ".weight", channels), w.vector(prefix + ".bias", channels));
    }

    /** A new tensor GroupNorm(x) (x is left as is). */
    Tensor apply(Tensor x) {
        Tensor c = x.contiguous();
        float[] y = new float[c.size()];
        Norm.groupNorm(c.data(), y, x.dim(0), channels, x.dim(2) * x.dim(3), groups, gamma, beta, eps);
        return Tensor.of(y, x.shape());
    }

    /** SiLU(GroupNorm(x)) as a new tensor. */
    Tensor applySilu(Tensor x) {
        Tensor y = apply(x);
        Act.silu(y.data(), 0, y.size());
        return y;
    }
}
