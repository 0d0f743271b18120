package org.synesthesia.kernel;

import org.synesthesia.tensor.Tensor;

/**
 * Convolutions and upsampling on {@link Tensor}s, PyTorch semantics. Convolutions are GEMMs on {@link Gemm}
 * (im2col in bounded tiles, 1x1 convolutions on the input planes directly, depthwise ones direct; see
 * {@link ConvGemm}); {@link ConvScalar} is the reference.
 */
public final class Conv {
    private Conv() {}

    /**
     * Which GEMM carries a convolution: {@link #SGEMM} computes W * cols straight into the NCHW output (W decoded
     * to float in panels), {@link #LINEAR} computes im2col rows * W^T with {@link Gemm#linear} (W of any type
     * decoded inside the GEMM) and transposes; {@link #WINOGRAD} computes a 3x3 stride-1 pad-1 convolution of one
     * group and at least {@code ConvWinograd.MIN_PIXELS} output pixels by Winograd F(2x2, 3x3) ({@link ConvWinograd},
     * 16 GEMMs of depth C on transformed tiles: 2.25x fewer multiply-adds), any other one of one group by
     * {@code ConvPacked} (implicit im2col, W packed once per call) where W is at most 4M floats, else as SGEMM. The default is
     * {@code -Dsynesthesia.conv.gemm=winograd|sgemm|linear} (winograd).
     */
    public enum GemmPath { SGEMM, LINEAR, WINOGRAD }

    /** x [N, C, H, W], w [O, C/groups, kh, kw] -> [N, O, OH, OW]. */
    public static Tensor conv2d(Tensor x, WeightMatrix w, int kh, int kw, float[] bias, int stride, int pad, int dilation, int groups) {
        return conv2d(x, w, kh, kw, bias, stride, stride, pad, pad, dilation, dilation, groups);
    }

    public static Tensor conv2d(Tensor x, WeightMatrix w, int kh, int kw, float[] bias, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        return conv2d(x, w, kh, kw, bias, sh, sw, ph, pw, dh, dw, groups, ConvGemm.DEFAULT_PATH);
    }

    /** As above on the given GEMM path (benchmarks and tests). */
    public static Tensor conv2d(Tensor x, WeightMatrix w, int kh, int kw, float[] bias, int sh, int sw, int ph, int pw, int dh, int dw, int groups,
                                GemmPath path) {
        int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
        check(C, groups, w, kh * kw);
        ConvGeom g = new ConvGeom(N, C, H, W, w.rows(), kh, kw, sh, sw, ph, pw, dh, dw, groups);
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        float[] y = ConvGemm.conv2d(xc.data(), xc.offset(), g, w, bias, path);
        return Tensor.of(y, N, w.rows(), g.OH(), g.OW());
    }

    /** x [N, C, L], w [O, C/groups, k] -> [N, O, LO]. */
    public static Tensor conv1d(Tensor x, WeightMatrix w, int k, float[] bias, int stride, int pad, int dilation, int groups) {
        int N = x.dim(0), C = x.dim(1), L = x.dim(2);
        check(C, groups, w, k);
        ConvGeom g = new ConvGeom(N, C, 1, L, w.rows(), 1, k, 1, stride, 0, pad, 1, dilation, groups);
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        float[] y = ConvGemm.conv2d(xc.data(), xc.offset(), g, w, bias, ConvGemm.DEFAULT_PATH);
        return Tensor.of(y, N, w.rows(), g.OW());
    }

    /**
     * x [N, C_in, L], w [C_in, C_out/groups, k] (PyTorch ConvTranspose1d layout) as a {@link WeightMatrix} of
     * {@code C_in} rows of {@code C_out/groups * k} values in any stored type -> [N, C_out, LO] with
     * LO = (L-1)*stride - 2*pad + dilation*(k-1) + outPad + 1.
     */
    public static Tensor convTranspose1d(Tensor x, WeightMatrix w, int k, float[] bias, int stride, int pad, int outPad, int dilation, int groups) {
        int N = x.dim(0), C = x.dim(1), L = x.dim(2);
        if (k <= 0 || w.rows() != C || w.cols() % k != 0)
            throw new IllegalArgumentException("convTranspose1d " + w.name() + ": weight is " + w.rows() + "x" + w.cols() + ", expected " + C + " rows of (C_out/groups)x" + k);
        int LO = (L - 1) * stride - 2 * pad + dilation * (k - 1) + outPad + 1;
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        float[] y = ConvGemm.convTranspose1d(xc.data(), xc.offset(), N, C, L, w, k, bias, stride, pad, outPad, dilation, groups);
        return Tensor.of(y, N, w.cols() / k * groups, LO);
    }

    /** As above with float32 weights {@code w} [C_in, outPerGroup, k]. */
    public static Tensor convTranspose1d(Tensor x, float[] w, int outPerGroup, int k, float[] bias, int stride, int pad, int outPad, int dilation, int groups) {
        int C = x.dim(1);
        if (w.length != C * outPerGroup * k) throw new IllegalArgumentException("convTranspose1d: weight has " + w.length + " values, expected " + C + "x" + outPerGroup + "x" + k);
        return convTranspose1d(x, WeightMatrix.of(w, C, outPerGroup * k), k, bias, stride, pad, outPad, dilation, groups);
    }

    /** x [N, C, H, W] -> [N, C, 2H, 2W], nearest neighbour. */
    public static Tensor upsampleNearest2x(Tensor x) {
        int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
        Tensor xc = x.isContiguous() ? x : x.contiguous();
        float[] y = Simd.available() ? ConvVector.upsampleNearest2x(xc.data(), xc.offset(), N * C, H, W)
                : ConvScalar.upsampleNearest2x(xc.toArray(), N * C, H, W);
        return Tensor.of(y, N, C, 2 * H, 2 * W);
    }

    private static void check(int C, int groups, WeightMatrix w, int taps) {
        if (groups <= 0 || C % groups != 0 || w.rows() % groups != 0)
            throw new IllegalArgumentException("conv " + w.name() + ": " + C + " input and " + w.rows() + " output channels do not split into " + groups + " groups");
        if (w.cols() != C / groups * taps)
            throw new IllegalArgumentException("conv " + w.name() + ": weight rows have " + w.cols() + " values, expected " + (C / groups) + "x" + taps);
    }
}
