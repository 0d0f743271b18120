package org.synesthesia.kernel;

/**
 * The geometry of a 2-D convolution (PyTorch Conv2d; conv1d is H = 1): input [N, C, H, W], weight
 * [O, C/groups, kh, kw], stride (sh, sw), zero padding (ph, pw), dilation (dh, dw).
 */
record ConvGeom(int N, int C, int H, int W, int O, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
    ConvGeom {
        if (N < 0 || C <= 0 || H <= 0 || W <= 0 || O <= 0 || kh <= 0 || kw <= 0)
            throw new IllegalArgumentException("conv: bad shape N=" + N + " C=" + C + " H=" + H + " W=" + W + " O=" + O + " kernel " + kh + "x" + kw);
        if (sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || ph < 0 || pw < 0)
            throw new IllegalArgumentException("conv: stride and dilation must be positive and padding non-negative");
        if (groups <= 0 || C % groups != 0 || O % groups != 0)
            throw new IllegalArgumentException("conv: " + C + " input and " + O + " output channels do not split into " + groups + " groups");
        // fields are assigned after this block: compute the output size from the parameters
        if (H + 2 * ph - dh * (kh - 1) - 1 < 0 || W + 2 * pw - dw * (kw - 1) - 1 < 0)
            throw new IllegalArgumentException("conv: kernel " + kh + "x" + kw + " (dilation " + dh + "x" + dw + ") is larger than the padded input " + (H + 2 * ph) + "x" + (W + 2 * pw));
    }

    int OH() { return (H + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }

    int OW() { return (W + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }

    /** Input channels per group. */
    int cg() { return C / groups; }

    /** Output channels per group. */
    int og() { return O / groups; }

    /** Taps per output value: the GEMM depth C/groups * kh * kw. */
    int K() { return cg() * kh * kw; }

    /** Output pixels per image and channel. */
    int P() { return OH() * OW(); }

    /** A 1x1 kernel with stride 1 and no padding: the input planes are already the GEMM operand. */
    boolean pointwise() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }

    /** One input and one output channel per group. */
    boolean depthwise() { return cg() == 1 && og() == 1; }

    /** Multiply-adds x 2. */
    double flops() { return 2.0 * N * O * P() * K(); }
}
