package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code ResnetBlock2D} (time_embedding_norm "default"):
 * <pre>
 * h = conv1(SiLU(norm1(x)))                       norm = GroupNorm(groups, eps), conv 3x3 pad 1
 * h = h + time_emb_proj(SiLU(temb))[:, :, None, None]
 * h = conv2(SiLU(norm2(h)))                       (dropout: identity at inference)
 * out = (shortcut(x) + h) / output_scale_factor   shortcut = conv_shortcut (1x1) when in != out channels
 * </pre>
 */
public final class ResnetBlock2D {
    private final String name;
    private final int in, out, groups;
    private final float eps, outputScale;
    private final float[] norm1W, norm1B, norm2W, norm2B, conv1B, conv2B, tembB, shortcutB;
    private final WeightMatrix conv1, conv2, tembProj, shortcut;

    public ResnetBlock2D(UNetWeights w, String name, int in, int out, int tembDim, int groups, float eps, float outputScale) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.groups = groups;
        this.eps = eps;
        this.outputScale = outputScale;
        norm1W = w.vector(name + ".norm1.weight", in);
        norm1B = w.vector(name + ".norm1.bias", in);
        conv1 = w.conv(name + ".conv1.weight", out, in, 3);
        conv1B = w.vector(name + ".conv1.bias", out);
        tembProj = w.linear(name + ".time_emb_proj.weight", out, tembDim);
        tembB = w.vector(name + ".time_emb_proj.bias", out);
        norm2W = w.vector(name + ".norm2.weight", out);
        norm2B = w.vector(name + ".norm2.bias", out);
        conv2 = w.conv(name + ".conv2.weight", out, out, 3);
        conv2B = w.vector(name + ".conv2.bias", out);
        if (in != out) {
            shortcut = w.conv(name + ".conv_shortcut.weight", out, in, 1);
            shortcutB = w.vector(name + ".conv_shortcut.bias", out);
        } else {
            shortcut = null;
            shortcutB = null;
        }
    }

    public int outChannels() { return out; }

    /**
     * @param x        [N, in, H, W]
     * @param tembSilu SiLU(temb), [N, tembDim] row-major
     * @return [N, out, H, W]
     */
    public Tensor forward(Tensor x, float[] tembSilu, Tracer tracer) {
        if (x.dim(1) != in) throw new IllegalArgumentException(name + ": input has " + x.dim(1) + " channels, expected " + in);
        int N = x.dim(0), S = x.dim(2) * x.dim(3);
        Tensor h = Conv.conv2d(UNetOps.groupNorm(x, groups, norm1W, norm1B, eps, true), conv1, 3, 3, conv1B, 1, 1, 1, 1);
        float[] t = Gemm.linear(tembSilu, N, tembProj, tembB); // [N, out]
        float[] hd = h.data();
        for (int n = 0; n < N; n++)
            for (int c = 0; c < out; c++) {
                float b = t[n * out + c];
                int o = (n * out + c) * S;
                for (int s = 0; s < S; s++) hd[o + s] += b;
            }
        h = Conv.conv2d(UNetOps.groupNorm(h, groups, norm2W, norm2B, eps, true), conv2, 3, 3, conv2B, 1, 1, 1, 1);
        Tensor sc = shortcut == null ? x : Conv.conv2d(x, shortcut, 1, 1, shortcutB, 1, 0, 1, 1);
        UNetOps.addInPlace(h, sc);
        if (outputScale != 1) {
            float[] d = h.data();
            for (int i = 0; i < d.length; i++) d[i] /= outputScale;
        }
        tracer.capture(name, h);
        return h;
    }
}
