package org.synesthesia.nn;

import org.synesthesia.kernel.Norm;
import org.synesthesia.tensor.Tensor;

/**
 * PyTorch {@code nn.GroupNorm(groups, C, eps, affine)} on x [N, C, *] (S = product of the trailing dims): the
 * channels split into {@code groups} groups, each normalised over its C/groups*S values (biased variance), then per
 * channel {@code y = xhat * weight[c] + bias[c]} (affine) or {@code y = xhat}. {@link #forwardSilu} applies SiLU
 * in the same pass ({@code SiLU(GroupNorm(x))}, the pre-activation of every diffusers ResNet block).
 */
public final class GroupNorm {
    private final int channels, groups;
    private final float eps;
    private final float[] gamma, beta; // null when not affine

    /** @param gamma, beta [channels] each, or both null (affine = false) */
    public GroupNorm(int channels, int groups, float eps, float[] gamma, float[] beta) {
        if (groups <= 0 || channels % groups != 0)
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels do not split into " + groups + " groups");
        if ((gamma == null) != (beta == null) || gamma != null && (gamma.length != channels || beta.length != channels))
            throw new IllegalArgumentException("GroupNorm: weight and bias need " + channels + " values each");
        this.channels = channels;
        this.groups = groups;
        this.eps = eps;
        this.gamma = gamma;
        this.beta = beta;
    }

    /** The affine norm {@code name} with {@code name.weight} and {@code name.bias}, [channels] each (read in that order). */
    public static GroupNorm load(Weights w, String name, int channels, int groups, float eps) {
        if (groups <= 0 || channels % groups != 0)
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
        float[] g = w.vector(name + ".weight", channels);
        return new GroupNorm(channels, groups, eps, g, w.vector(name + ".bias", channels));
    }

    public int channels() { return channels; }

    /** GroupNorm(x) as a new tensor; x is left as is. */
    public Tensor forward(Tensor x) {
        return apply(x, false);
    }

    /** SiLU(GroupNorm(x)) as a new tensor; x is left as is. */
    public Tensor forwardSilu(Tensor x) {
        return apply(x, true);
    }

    /** y[0, N*C*S) = GroupNorm(x[0, N*C*S)), then SiLU with {@code silu}; {@code y} may be {@code x}. */
    public void forward(float[] x, float[] y, int N, int S, boolean silu) {
        if (silu) Norm.groupNormSilu(x, y, N, channels, S, groups, gamma, beta, eps);
        else Norm.groupNorm(x, y, N, channels, S, groups, gamma, beta, eps);
    }

    private Tensor apply(Tensor x, boolean silu) {
        if (x.rank() < 2 || x.dim(1) != channels)
            throw new IllegalArgumentException("GroupNorm: input has shape " + java.util.Arrays.toString(x.shape()) + ", expected [N, " + channels + ", ...]");
        int N = x.dim(0);
        float[] y = new float[x.size()];
        forward(x.contiguous().data(), y, N, x.size() / (N * channels), silu);
        return Tensor.of(y, x.shape());
    }
}
