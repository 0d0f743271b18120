package org.synesthesia.kernel;

/**
 * Plain scalar convolutions, PyTorch semantics (cross-correlation), the reference for {@link Conv}.
 * Layouts: x [N, C, L] or [N, C, H, W]; weights as {@link WeightMatrix} rows = output channels.
 */
public final class ConvScalar {
    private ConvScalar() {}

    /**
     * y[n, o, i, j] = b[o] + sum_{c in group(o), p, q} x[n, c, i*sh - ph + p*dh, j*sw - pw + q*dw] * w[o, c', p, q]
     * with zero padding; w is [O, C/groups, kh, kw].
     */
    public static float[] conv2d(float[] x, int N, int C, int H, int W, WeightMatrix w, int kh, int kw, float[] bias,
                                 int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        int O = w.rows();
        int cg = C / groups, og = O / groups;
        int OH = (H + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        int OW = (W + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        float[] wf = w.toFloats();
        float[] y = new float[N * O * OH * OW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++) {
                int g = o / og;
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) {
                        float acc = bias == null ? 0 : bias[o];
                        for (int c = 0; c < cg; c++)
                            for (int p = 0; p < kh; p++) {
                                int yi = i * sh - ph + p * dh;
                                if (yi < 0 || yi >= H) continue;
                                for (int q = 0; q < kw; q++) {
                                    int xj = j * sw - pw + q * dw;
                                    if (xj < 0 || xj >= W) continue;
                                    acc += x[((n * C + g * cg + c) * H + yi) * W + xj] * wf[((o * cg + c) * kh + p) * kw + q];
                                }
                            }
                        y[((n * O + o) * OH + i) * OW + j] = acc;
                    }
            }
        return y;
    }

    /** conv1d as conv2d with H = 1. */
    public static float[] conv1d(float[] x, int N, int C, int L, WeightMatrix w, int k, float[] bias, int stride, int pad, int dil, int groups) {
        return conv2d(x, N, C, 1, L, w, 1, k, bias, 1, stride, 0, pad, 1, dil, groups);
    }

    /** ConvTranspose1d with w [C_in, C_out/groups, k] as a {@link WeightMatrix} of C_in rows, in any stored type. */
    public static float[] convTranspose1d(float[] x, int N, int C, int L, WeightMatrix w, int k, float[] bias,
                                          int stride, int pad, int outPad, int dil, int groups) {
        return convTranspose1d(x, N, C, L, w.toFloats(), w.cols() / k, k, bias, stride, pad, outPad, dil, groups);
    }

    /**
     * ConvTranspose1d: w is [C_in, C_out/groups, k]; output length (L-1)*stride - 2*pad + dil*(k-1) + outPad + 1;
     * y[n, o, t*stride - pad + p*dil] += x[n, c, t] * w[c, o', p].
     */
    public static float[] convTranspose1d(float[] x, int N, int C, int L, float[] w, int outPerGroup, int k, float[] bias,
                                          int stride, int pad, int outPad, int dil, int groups) {
        int cg = C / groups;
        int O = outPerGroup * groups;
        int LO = (L - 1) * stride - 2 * pad + dil * (k - 1) + outPad + 1;
        float[] y = new float[N * O * LO];
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < O; o++) {
                float b = bias == null ? 0 : bias[o];
                for (int t = 0; t < LO; t++) y[(n * O + o) * LO + t] = b;
            }
            for (int c = 0; c < C; c++) {
                int g = c / cg;
                for (int oo = 0; oo < outPerGroup; oo++) {
                    int o = g * outPerGroup + oo;
                    for (int t = 0; t < L; t++) {
                        float xv = x[(n * C + c) * L + t];
                        for (int p = 0; p < k; p++) {
                            int to = t * stride - pad + p * dil;
                            if (to < 0 || to >= LO) continue;
                            y[(n * O + o) * LO + to] += xv * w[(c * outPerGroup + oo) * k + p];
                        }
                    }
                }
            }
        }
        return y;
    }

    /** Nearest-neighbour upsampling by 2: y[n, c, i, j] = x[n, c, i/2, j/2]; x is [N*C, H, W]. */
    public static float[] upsampleNearest2x(float[] x, int NC, int H, int W) {
        float[] y = new float[NC * 4 * H * W];
        for (int p = 0; p < NC; p++)
            for (int i = 0; i < 2 * H; i++)
                for (int j = 0; j < 2 * W; j++)
                    y[(p * 2 * H + i) * 2 * W + j] = x[(p * H + i / 2) * W + j / 2];
        return y;
    }
}
