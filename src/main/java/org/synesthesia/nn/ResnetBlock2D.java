package org.synesthesia.nn;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code ResnetBlock2D} (time_embedding_norm "default", SiLU), the ResNet block of the SD UNet and VAE:
 * <pre>
 * h = conv1(SiLU(norm1(x)))                         norm = GroupNorm(groups, eps), conv 3x3 pad 1
 * h = h + time_emb_proj(SiLU(temb))[:, :, None, None]   only with a time embedding (UNet; the VAE has none)
 * h = conv2(SiLU(norm2(h)))                         (dropout: identity at inference)
 * out = (shortcut(x) + h) / output_scale_factor     shortcut = conv_shortcut (1x1) when in != out channels, else x
 * </pre>
 * The output is captured under the block's name.
 */
public final class ResnetBlock2D {
    /**
     * @param tembDim     width of the time embedding, 0 for none
     * @param outputScale diffusers' {@code output_scale_factor}
     */
    public record Config(int in, int out, int tembDim, int groups, float eps, float outputScale) {}

    private final String name;
    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2, shortcut; // shortcut null: identity
    private final WeightMatrix tembProj;         // null: no time embedding
    private final float[] tembBias;
    private final float outputScale;

    public ResnetBlock2D(String name, GroupNorm norm1, Conv2d conv1, WeightMatrix tembProj, float[] tembBias, GroupNorm norm2,
                         Conv2d conv2, Conv2d shortcut, float outputScale) {
        this.name = name;
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.tembProj = tembProj;
        this.tembBias = tembBias;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
        this.outputScale = outputScale;
    }

    /**
     * Reads the tensors in diffusers' module order: norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut (present
     * when in != out, or when the checkpoint has one).
     */
    public static ResnetBlock2D load(Weights w, String name, Config c) {
        GroupNorm n1 = GroupNorm.load(w, name + ".norm1", c.in(), c.groups(), c.eps());
        Conv2d c1 = Conv2d.load(w, name + ".conv1", c.in(), c.out(), 3, 1, 1, true);
        WeightMatrix t = c.tembDim() > 0 ? w.linear(name + ".time_emb_proj.weight", c.out(), c.tembDim()) : null;
        float[] tb = c.tembDim() > 0 ? w.vector(name + ".time_emb_proj.bias", c.out()) : null;
        GroupNorm n2 = GroupNorm.load(w, name + ".norm2", c.out(), c.groups(), c.eps());
        Conv2d c2 = Conv2d.load(w, name + ".conv2", c.out(), c.out(), 3, 1, 1, true);
        return new ResnetBlock2D(name, n1, c1, t, tb, n2, c2, shortcut(w, name, c), c.outputScale());
    }

    /** {@code name.conv_shortcut} (1x1 with bias) when in != out or the checkpoint has one, else null (identity). */
    public static Conv2d shortcut(Weights w, String name, Config c) {
        return c.in() != c.out() || w.has(name + ".conv_shortcut.weight")
                ? Conv2d.load(w, name + ".conv_shortcut", c.in(), c.out(), 1, 1, 0, true) : null;
    }

    public String name() { return name; }

    public int outChannels() { return conv2.outChannels(); }

    /**
     * @param x        [N, in, H, W] (left as is)
     * @param tembSilu SiLU(temb) [N, tembDim] row-major, or null for a block without time embedding
     * @return a new tensor [N, out, H, W]
     */
    public Tensor forward(Tensor x, float[] tembSilu, Tracer tracer) {
        if (x.rank() != 4 || x.dim(1) != conv1.inChannels())
            throw new IllegalArgumentException(name + ": input has shape " + java.util.Arrays.toString(x.shape()) + ", expected [N, " + conv1.inChannels() + ", H, W]");
        Tensor h = conv1.forward(norm1.forwardSilu(x));
        if (tembProj != null) addTimeEmbedding(h, tembSilu);
        h = conv2.forward(norm2.forwardSilu(h));
        float[] y = h.data();
        Tensor s = (shortcut == null ? x : shortcut.forward(x)).contiguous();
        Ops.addInPlace(y, 0, s.data(), 0, y.length);
        if (outputScale != 1)
            for (int i = 0; i < y.length; i++) y[i] /= outputScale;
        tracer.capture(name, h);
        return h;
    }

    /** h[n, c, :, :] += time_emb_proj(tembSilu)[n, c]. */
    private void addTimeEmbedding(Tensor h, float[] tembSilu) {
        if (tembSilu == null) throw new IllegalArgumentException(name + ": needs a time embedding");
        int N = h.dim(0), out = h.dim(1), S = h.dim(2) * h.dim(3);
        float[] t = Gemm.linear(tembSilu, N, tembProj, tembBias); // [N, out]
        float[] hd = h.data();
        for (int n = 0; n < N; n++)
            for (int c = 0; c < out; c++) {
                float b = t[n * out + c];
                int o = (n * out + c) * S;
                for (int s = 0; s < S; s++) hd[o + s] += b;
            }
    }
}
