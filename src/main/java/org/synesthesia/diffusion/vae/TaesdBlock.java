package org.synesthesia.diffusion.vae;

import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * taesd.py {@code Block(n_in, n_out)}: {@code relu(conv.4(relu(conv.2(relu(conv.0(x))))) + skip(x))}, three 3x3
 * convolutions with bias; skip is a 1x1 convolution without bias when n_in != n_out, else the identity.
 */
final class TaesdBlock {
    final Conv2d conv0, conv2, conv4;
    final Conv2d skip; // null = identity

    private TaesdBlock(Conv2d conv0, Conv2d conv2, Conv2d conv4, Conv2d skip) {
        this.conv0 = conv0;
        this.conv2 = conv2;
        this.conv4 = conv4;
        this.skip = skip;
    }

    static TaesdBlock load(Weights w, String name, int in, int out) {
        Conv2d skip = in != out || w.has(name + ".skip.weight") ? Conv2d.load(w, name + ".skip", in, out, 1, 1, 0, false) : null;
        return new TaesdBlock(
                Conv2d.load(w, name + ".conv.0", in, out, 3, 1, 1, true),
                Conv2d.load(w, name + ".conv.2", out, out, 3, 1, 1, true),
                Conv2d.load(w, name + ".conv.4", out, out, 3, 1, 1, true),
                skip);
    }

    Tensor forward(Tensor x) {
        Tensor h = conv0.forward(x);
        Taesd.relu(h);
        h = conv2.forward(h);
        Taesd.relu(h);
        h = conv4.forward(h);
        float[] y = h.data();
        Tensor s = skip == null ? x.contiguous() : skip.forward(x);
        float[] sd = s.data();
        int so = s.offset();
        for (int i = 0; i < y.length; i++) y[i] = Math.max(0f, y[i] + sd[so + i]);
        return h;
    }
}
