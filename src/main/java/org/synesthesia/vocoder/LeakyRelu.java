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
        if (slope > 0f && slope < 1f) {
            // for 0 < slope < 1, max(v, slope*v) is the same value (also for -0.0 and NaN) and C2 vectorises it
            Parallel.forRange(dst.length, Capture.ELEMENT_GRAIN, (a, b) -> {
                for (int i = a; i < b; i++) {
                    float v = src[off + i];
                    dst[i] = Math.max(v, slope * v);
                }
            });
            return Tensor.of(dst, xc.shape());
        }
        Parallel.forRange(dst.length, Capture.ELEMENT_GRAIN, (a, b) -> {
            for (int i = a; i < b; i++) {
                float v = src[off + i];
                dst[i] = v >= 0 ? v : slope * v;
            }
        });
        return Tensor.of(dst, xc.shape());
    }
}
