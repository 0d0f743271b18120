package org.synesthesia.nn;

import org.synesthesia.kernel.Ops;
import org.synesthesia.tensor.Tensor;

/** Layout changes between feature maps [N, C, H, W] and token rows [N, H*W, C] (one row per position). */
public final class Tokens {
    private Tokens() {}

    /** [N, C, H, W] -> token rows [N, H*W, C], a new array. */
    public static float[] of(Tensor x) {
        int N = x.dim(0), C = x.dim(1), S = x.dim(2) * x.dim(3);
        float[] in = x.contiguous().data();
        float[] out = new float[in.length];
        for (int n = 0; n < N; n++) Ops.transpose(in, n * C * S, C, S, S, out, n * C * S, C);
        return out;
    }

    /** Token rows [N, H*W, C] -> a new tensor [N, C, H, W]. */
    public static Tensor toImage(float[] t, int N, int C, int H, int W) {
        int S = H * W;
        float[] out = new float[t.length];
        for (int n = 0; n < N; n++) Ops.transpose(t, n * C * S, S, C, C, out, n * C * S, S);
        return Tensor.of(out, N, C, H, W);
    }

    /** One sample: rows[rOff + s*C + c] = x[xOff + c*S + s] for C channels of S positions. */
    public static void toRows(float[] x, int xOff, float[] rows, int rOff, int C, int S) {
        Ops.transpose(x, xOff, C, S, S, rows, rOff, C);
    }

    /** One sample, accumulating: x[xOff + c*S + s] += rows[s*C + c]. */
    public static void addRows(float[] rows, float[] x, int xOff, int C, int S) {
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++) x[xOff + c * S + s] += rows[s * C + c];
    }
}
