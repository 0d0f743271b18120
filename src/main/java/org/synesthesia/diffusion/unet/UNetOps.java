package org.synesthesia.diffusion.unet;

import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Norm;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.tensor.Tensor;

/** Layout and elementwise helpers shared by the UNet blocks; activations are contiguous NCHW tensors. */
final class UNetOps {
    private UNetOps() {}

    /** GroupNorm of x [N, C, H, W] into a new tensor; with {@code silu}, SiLU applied after. */
    static Tensor groupNorm(Tensor x, int groups, float[] gamma, float[] beta, float eps, boolean silu) {
        int N = x.dim(0), C = x.dim(1), S = x.size() / (N * C);
        float[] in = x.contiguous().data();
        float[] y = new float[in.length];
        Norm.groupNorm(in, y, N, C, S, groups, gamma, beta, eps);
        if (silu) silu(y);
        return Tensor.of(y, x.shape());
    }

    static void silu(float[] y) {
        Parallel.forRange(y.length, 1 << 14, (from, to) -> Act.silu(y, from, to - from));
    }

    /** [N, C, H, W] -> token rows [N, H*W, C]. */
    static float[] toTokens(Tensor x) {
        int N = x.dim(0), C = x.dim(1), S = x.dim(2) * x.dim(3);
        float[] in = x.contiguous().data();
        float[] out = new float[in.length];
        Parallel.forEach(N, n -> {
            int base = n * C * S;
            for (int c = 0; c < C; c++)
                for (int s = 0; s < S; s++) out[base + s * C + c] = in[base + c * S + s];
        });
        return out;
    }

    /** Token rows [N, H*W, C] -> [N, C, H, W]. */
    static Tensor fromTokens(float[] t, int N, int C, int H, int W) {
        int S = H * W;
        float[] out = new float[t.length];
        Parallel.forEach(N, n -> {
            int base = n * C * S;
            for (int s = 0; s < S; s++)
                for (int c = 0; c < C; c++) out[base + c * S + s] = t[base + s * C + c];
        });
        return Tensor.of(out, N, C, H, W);
    }

    /** cat([a, b], dim=1) of [N, Ca, H, W] and [N, Cb, H, W]. */
    static Tensor concatChannels(Tensor a, Tensor b) {
        int N = a.dim(0), Ca = a.dim(1), Cb = b.dim(1), H = a.dim(2), W = a.dim(3);
        if (b.dim(0) != N || b.dim(2) != H || b.dim(3) != W)
            throw new IllegalArgumentException("unet: cannot concatenate " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
        int S = H * W;
        float[] ad = a.contiguous().data(), bd = b.contiguous().data();
        float[] out = new float[N * (Ca + Cb) * S];
        for (int n = 0; n < N; n++) {
            System.arraycopy(ad, n * Ca * S, out, n * (Ca + Cb) * S, Ca * S);
            System.arraycopy(bd, n * Cb * S, out, (n * (Ca + Cb) + Ca) * S, Cb * S);
        }
        return Tensor.of(out, N, Ca + Cb, H, W);
    }

    /** y += x elementwise over equal-shaped contiguous tensors (y's array is updated). */
    static void addInPlace(Tensor y, Tensor x) {
        float[] yd = y.data(), xd = x.contiguous().data();
        if (!y.isContiguous() || y.offset() != 0 || yd.length != xd.length) throw new IllegalArgumentException("unet: residual shapes differ");
        Parallel.forRange(yd.length, 1 << 14, (from, to) -> { for (int i = from; i < to; i++) yd[i] += xd[i]; });
    }
}
