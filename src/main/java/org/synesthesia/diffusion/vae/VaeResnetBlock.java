package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Ops;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code ResnetBlock2D} as the VAE uses it (no time embedding, output_scale_factor 1):
 * {@code h = conv1(SiLU(norm1(x))); h = conv2(SiLU(norm2(h))); y = shortcut(x) + h}, where shortcut is
 * {@code conv_shortcut} (1x1) when the channel count changes, else the identity.
 */
final class VaeResnetBlock {
    final String name;
    final VaeGroupNorm norm1;
    final VaeConv2d conv1;
    final VaeGroupNorm norm2;
    final VaeConv2d conv2;
    final VaeConv2d shortcut; // null for identity

    private VaeResnetBlock(String name, VaeGroupNorm norm1, VaeConv2d conv1, VaeGroupNorm norm2, VaeConv2d conv2, VaeConv2d shortcut) {
        this.name = name;
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
    }

    static VaeResnetBlock load(VaeWeights w, String name, int in, int out, int groups, float eps) {
        VaeConv2d sc = in != out || w.contains(name + ".conv_shortcut.weight")
                ? VaeConv2d.load(w, name + ".conv_shortcut", in, out, 1, 1, 0, true) : null;
        return new VaeResnetBlock(name,
                VaeGroupNorm.load(w, name + ".norm1", in, groups, eps),
                VaeConv2d.load(w, name + ".conv1", in, out, 3, 1, 1, true),
                VaeGroupNorm.load(w, name + ".norm2", out, groups, eps),
                VaeConv2d.load(w, name + ".conv2", out, out, 3, 1, 1, true),
                sc);
    }

    /** x [N, in, H, W] -> [N, out, H, W]; x is not modified. */
    Tensor forward(Tensor x, Tracer tracer) {
        Tensor h = norm1.applySilu(x);
        h = conv1.apply(h);
        h = norm2.applySilu(h);
        h = conv2.apply(h);
        float[] y = h.data();
        if (shortcut == null) {
            Tensor xc = x.contiguous();
            Ops.addInPlace(y, 0, xc.data(), xc.offset(), y.length);
        } else {
            Tensor s = shortcut.apply(x);
            Ops.addInPlace(y, 0, s.data(), 0, y.length);
        }
        tracer.capture(name, h);
        return h;
    }
}
