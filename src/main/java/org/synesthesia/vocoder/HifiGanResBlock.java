package org.synesthesia.vocoder;

import org.synesthesia.kernel.Ops;
import org.synesthesia.nn.Conv1d;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;

/**
 * One HiFi-GAN residual block on x [N, C, L] -> [N, C, L], every convolution C -> C of kernel k with padding
 * {@code (k d - d) / 2} (length kept):
 * <ul>
 *   <li>type 1 ({@code ResBlock1}): for each dilation d_m, {@code x = convs2[m](lrelu(convs1[m](lrelu(x)))) + x},
 *       {@code convs1[m]} dilated by d_m, {@code convs2[m]} by 1;</li>
 *   <li>type 2 ({@code ResBlock2}): for each dilation d_m, {@code x = convs[m](lrelu(x)) + x}.</li>
 * </ul>
 *
 * @param convs1 type 1's first convolutions, type 2's only ones
 * @param convs2 type 1's second convolutions, null for type 2
 */
record HifiGanResBlock(Conv1d[] convs1, Conv1d[] convs2, float slope) {

    /** Block {@code prefix} (e.g. {@code resblocks.3}) of {@code type} with {@code channels}, kernel {@code k}, dilations. */
    static HifiGanResBlock bind(Weights w, String prefix, int type, int channels, int k, int[] dilations, float slope) {
        Conv1d[] c1 = new Conv1d[dilations.length];
        Conv1d[] c2 = type == 1 ? new Conv1d[dilations.length] : null;
        for (int m = 0; m < dilations.length; m++) {
            c1[m] = conv(w, prefix + (type == 1 ? ".convs1." : ".convs.") + m, channels, k, dilations[m]);
            if (c2 != null) c2[m] = conv(w, prefix + ".convs2." + m, channels, k, 1);
        }
        return new HifiGanResBlock(c1, c2, slope);
    }

    private static Conv1d conv(Weights w, String module, int channels, int k, int dilation) {
        return new Conv1d(WeightNorm.matrix(w, module, channels, channels, k), w.vector(module + ".bias", channels), k, 1,
                (k * dilation - dilation) / 2, dilation, 1);
    }

    Tensor forward(Tensor x) {
        for (int m = 0; m < convs1.length; m++) {
            Tensor xt = convs1[m].forward(LeakyRelu.apply(x, slope));
            if (convs2 != null) xt = convs2[m].forward(LeakyRelu.apply(xt, slope));
            x = Ops.add(xt, x);
        }
        return x;
    }
}
