package org.synesthesia.vocoder;

import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Capture;
import org.synesthesia.tensor.Tensor;

/** {@code F.leaky_relu(x, slope)}: {@code x >= 0 ? x : slope * x}, elementwise into a new tensor. */
final class LeakyRelu {
    private LeakyRelu() {}

    static Tensor apply(Tensor x, float slope) {
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        float[] src = xc.data(), dst = new float[xc.size()];
        int off = xc.offset();
        Parallel.forRange(dst.length, Capture.ELEMENT_GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) {
                float v = src[off + i];
                dst[i] = v >= 0 ? v : slope * v;
            }
        });
        return Tensor.of(dst, xc.shape());
    }
}
