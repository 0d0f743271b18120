package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Weights;

/** diffusers {@code TimestepEmbedding}: {@code linear_2(SiLU(linear_1(x)))}, [N, in] -> [N, timeEmbedDim]. */
final class TimestepEmbedding {
    private final WeightMatrix l1, l2;
    private final float[] b1, b2;

    public TimestepEmbedding(Weights w, String name, int in, int dim) {
        l1 = w.linear(name + ".linear_1.weight", dim, in);
        b1 = w.vector(name + ".linear_1.bias", dim);
        l2 = w.linear(name + ".linear_2.weight", dim, dim);
        b2 = w.vector(name + ".linear_2.bias", dim);
    }

    float[] forward(float[] x, int N) {
        float[] h = Gemm.linear(x, N, l1, b1);
        Act.silu(h, 0, h.length);
        return Gemm.linear(h, N, l2, b2);
    }
}
