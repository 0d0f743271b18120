package org.synesthesia.kernel;

import java.util.Arrays;

/**
 * Convolutions as GEMMs on {@link Gemm} (so they run at whatever speed the GEMM has), the same definitions as
 * {@link ConvScalar}. Plain Java (no Vector API): the copies are {@code System.arraycopy} and the arithmetic is
 * in the GEMM.
 *
 * <p><b>conv2d</b> (conv1d is H = 1), per image n and group g, output pixels in tiles of {@code pt} (so the column
 * buffer stays near {@link Tiling#tileFloats} floats whatever the image size). Two GEMM formulations; SGEMM is the
 * default because it measured faster with the vector GEMM (thread CPU time, one thread, SD shapes: 3x3 320ch at
 * 64x64 about 145 vs 100 GFLOPS, 1x1 320ch 146 vs 78, VAE 3x3 128ch at 128x128 110 vs 49; equal for 1280ch at 16x16):
 * <ul>
 *   <li>{@link Conv.GemmPath#SGEMM}: {@code cols[K, pt]} (row (c, p, q) holds x[c, i*sh-ph+p*dh, j*sw-pw+q*dw] for the tile's
 *   pixels (i, j), zero outside the input) and {@code Y[og, pt] = W_g[og, K] * cols} with {@link Gemm#sgemm} written
 *   straight into the NCHW output (ldc = OH*OW); a 1x1 stride-1 unpadded kernel uses the input planes [C, H*W] as B
 *   with no copy at all. W rows are decoded to float per panel (none for a heap F32 weight: its array is A).</li>
 *   <li>{@link Conv.GemmPath#LINEAR}: {@code X[pt, K]} (the transpose of cols) and {@code Y[pt, O] = X W^T + b} with
 *   {@link Gemm#linear}, which decodes W of any stored type inside the GEMM; Y is transposed into NCHW.
 *   Groups of more than one channel take the SGEMM path.</li>
 *   <li>{@link Conv.GemmPath#WINOGRAD} (the default): {@link ConvWinograd} where it applies (3x3, stride 1, pad 1, one
 *   group, enough pixels), else {@link ConvPacked} (one group, W packed once, B packed straight from the image) for
 *   weights up to 4M floats that are not pointwise, else SGEMM.</li>
 * </ul>
 * Depthwise convolutions (one input and one output channel per group) are direct: for each output row, each tap
 * adds {@code w * (a shifted input row)} to the row, parallel over channels.
 *
 * <p><b>convTranspose1d</b>: per group and image, {@code cols[og*k, lt] = W_g^T x_g[:, t0:t0+lt]} (one sgemm with
 * A transposed: W is [C_in, og*k] row-major, decoded to float one group at a time unless it is heap F32), then
 * col2im scatter-adds {@code cols[(o, p), t]} into {@code y[o, t*stride - pad + p*dil]}, parallel over output
 * channels.
 */
final class ConvGemm {
    /**
     * Buffer sizes: {@code tileFloats} the target size of the column buffer, {@code minTile} the fewest pixels of a
     * tile (fewer only when the image is smaller; keeps the GEMM's N wide), {@code panelFloats} the largest weight
     * panel decoded to float at once on the SGEMM path.
     */
    record Tiling(int tileFloats, int minTile, int panelFloats) {
        Tiling {
            if (tileFloats < 1 || minTile < 1 || panelFloats < 1) throw new IllegalArgumentException("tiling sizes must be positive");
        }

        /** Pixels per tile for a GEMM depth of K and P pixels. */
        int pixels(int K, int P) {
            return Math.min(P, Math.max(minTile, tileFloats / Math.max(1, K)));
        }
    }

    /**
     * Column buffers near 2M floats (8 MB; {@code -Dsynesthesia.conv.tileFloats}), tiles of 256+ pixels (so at most
     * 12 MB for SD's 1280-channel 3x3 convolutions), weight panels up to 4M floats (16 MB).
     */
    static final Tiling TILING = new Tiling(Math.max(1024, Integer.getInteger("synesthesia.conv.tileFloats", 1 << 21)), 256, 1 << 22);
    /** The default path: {@code -Dsynesthesia.conv.gemm=sgemm|linear}. */
    static final Conv.GemmPath DEFAULT_PATH = switch (System.getProperty("synesthesia.conv.gemm", "winograd").toLowerCase(java.util.Locale.ROOT)) {
        case "linear" -> Conv.GemmPath.LINEAR;
        case "sgemm" -> Conv.GemmPath.SGEMM;
        default -> Conv.GemmPath.WINOGRAD;
    };

    private ConvGemm() {}

    /** y [N, O, OH, OW] for x [N, C, H, W] at {@code x[xOff..]}. */
    static float[] conv2d(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, Conv.GemmPath path) {
        return conv2d(x, xOff, g, w, bias, path, TILING);
    }

    static float[] conv2d(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, Conv.GemmPath path, Tiling tiling) {
        if (w.rows() != g.O() || w.cols() != g.K())
            throw new IllegalArgumentException("conv " + w.name() + ": weight is " + w.rows() + "x" + w.cols() + ", expected " + g.O() + "x" + g.K());
        if (bias != null && bias.length < g.O()) throw new IllegalArgumentException("conv " + w.name() + ": bias has " + bias.length + " values for " + g.O() + " channels");
        java.util.Objects.checkFromIndexSize(xOff, g.N() * g.C() * g.H() * g.W(), x.length);
        float[] y = new float[Math.toIntExact((long) g.N() * g.O() * g.P())];
        if (g.N() == 0) return y;
        if (g.depthwise()) depthwise(x, xOff, g, w, bias, y);
        else if (path == Conv.GemmPath.WINOGRAD && Simd.available() && ConvWinograd.applies(g)) ConvWinograd.conv2d(x, xOff, g, w, bias, y);
        else if (path == Conv.GemmPath.WINOGRAD && Simd.available() && !g.pointwise() && ConvPacked.applies(g)) ConvPacked.conv2d(x, xOff, g, w, bias, y);
        else if (path == Conv.GemmPath.LINEAR && g.groups() == 1) linearPath(x, xOff, g, w, bias, y, tiling);
        else sgemmPath(x, xOff, g, w, bias, y, tiling);
        return y;
    }

    private static void sgemmPath(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, float[] y, Tiling tiling) {
        int N = g.N(), C = g.C(), O = g.O(), K = g.K(), P = g.P(), cg = g.cg(), og = g.og(), HW = g.H() * g.W();
        boolean pointwise = g.pointwise();
        int pt = pointwise ? P : tiling.pixels(K, P);
        float[] cols = pointwise ? null : new float[K * pt];
        float[] heap = w.heap();
        int panelRows = heap != null ? og : Math.max(1, Math.min(og, tiling.panelFloats() / K));
        float[] panel = heap != null ? null : new float[panelRows * K];
        float beta = 0f;
        if (bias != null) {
            fillBias(y, N, O, P, bias);
            beta = 1f;
        }
        for (int grp = 0; grp < g.groups(); grp++) {
            boolean onePanel = panelRows >= og;
            if (heap == null && onePanel) decodeRows(w, grp * og, og, panel);
            for (int n = 0; n < N; n++) {
                for (int p0 = 0; p0 < P; p0 += pt) {
                    int np = Math.min(pt, P - p0);
                    float[] b;
                    int bOff, ldb;
                    if (pointwise) {
                        b = x;
                        bOff = xOff + (n * C + grp * cg) * HW + p0;
                        ldb = HW;
                    } else {
                        im2col(x, xOff, g, n, grp, p0, np, cols);
                        b = cols;
                        bOff = 0;
                        ldb = np;
                    }
                    for (int o0 = 0; o0 < og; o0 += panelRows) {
                        int rows = Math.min(panelRows, og - o0);
                        float[] a;
                        int aOff;
                        if (heap != null) {
                            a = heap;
                            aOff = (grp * og + o0) * K;
                        } else {
                            if (!onePanel) decodeRows(w, grp * og + o0, rows, panel);
                            a = panel;
                            aOff = 0;
                        }
                        Gemm.sgemm(false, false, rows, np, K, 1f, a, aOff, K, b, bOff, ldb, beta, y, (n * O + grp * og + o0) * P + p0, P);
                    }
                }
            }
        }
    }

    private static void linearPath(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, float[] y, Tiling tiling) {
        int N = g.N(), C = g.C(), O = g.O(), K = g.K(), P = g.P(), HW = g.H() * g.W();
        boolean pointwise = g.pointwise();
        int pt = tiling.pixels(K, P);
        float[] cols = pointwise ? null : new float[K * pt];
        float[] rows = new float[pt * K];
        float[] out = new float[pt * O];
        for (int n = 0; n < N; n++) {
            for (int p0 = 0; p0 < P; p0 += pt) {
                int np = Math.min(pt, P - p0);
                if (pointwise) transpose(x, xOff + n * C * HW + p0, K, np, HW, rows, 0, K);
                else {
                    im2col(x, xOff, g, n, 0, p0, np, cols);
                    transpose(cols, 0, K, np, np, rows, 0, K);
                }
                Gemm.linear(rows, 0, K, np, w, bias, out, 0, O);
                transpose(out, 0, np, O, O, y, n * O * P + p0, P);
            }
        }
    }

    /**
     * Decodes W rows [row0, row0+n) into {@code dst[0, n*cols)}, parallel over rows, with the vectorised decoders
     * where the Vector API is available (the same values as the reference {@link WeightMatrix#decodeRow}).
     */
    private static void decodeRows(WeightMatrix w, int row0, int n, float[] dst) {
        int K = w.cols();
        boolean vector = Simd.available();
        Parallel.forRange(n, Math.max(1, 65536 / Math.max(1, K)), (r0, r1) -> {
            float[] tmp = vector ? new float[32] : null;
            for (int r = r0; r < r1; r++) {
                if (vector) w.decodePanel(row0 + r, 0, K, dst, r * K, tmp);
                else w.decodeRow(row0 + r, 0, K, dst, r * K);
            }
        });
    }

    /** y[n, o, :] = bias[o]. */
    private static void fillBias(float[] y, int N, int O, int P, float[] bias) {
        Parallel.forRange(N * O, Math.max(1, 65536 / Math.max(1, P)), (a, b) -> {
            for (int no = a; no < b; no++) Arrays.fill(y, no * P, (no + 1) * P, bias[no % O]);
        });
    }

    /**
     * cols[r, t] for r = (c, p, q) in [0, K) and t in [0, np): input x[n, grp*cg + c, i*sh - ph + p*dh,
     * j*sw - pw + q*dw] at output pixel p0 + t = (i, j), zero where that is outside the input.
     */
    static void im2col(float[] x, int xOff, ConvGeom g, int n, int grp, int p0, int np, float[] cols) {
        int kh = g.kh(), kw = g.kw(), taps = kh * kw, K = g.K();
        int H = g.H(), W = g.W(), OW = g.OW(), C = g.C(), cg = g.cg();
        int sh = g.sh(), sw = g.sw(), ph = g.ph(), pw = g.pw(), dh = g.dh(), dw = g.dw();
        Parallel.forRange(K, Math.max(1, 32768 / np), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int c = r / taps, p = r / kw % kh, q = r % kw;
                int plane = xOff + (n * C + grp * cg + c) * H * W;
                int dst = r * np;
                int i = p0 / OW, j = p0 % OW, done = 0;
                while (done < np) {
                    int len = Math.min(OW - j, np - done);
                    int ih = i * sh - ph + p * dh;
                    int d = dst + done;
                    if (ih < 0 || ih >= H) {
                        Arrays.fill(cols, d, d + len, 0f);
                    } else {
                        int src = plane + ih * W;
                        int iw0 = j * sw - pw + q * dw;          // input column of the row segment's first pixel
                        int lo = iw0 >= 0 ? 0 : Math.min(len, (-iw0 + sw - 1) / sw);
                        int hi = iw0 > W - 1 ? lo : Math.max(lo, Math.min(len, (W - 1 - iw0) / sw + 1));
                        if (lo > 0) Arrays.fill(cols, d, d + lo, 0f);
                        if (sw == 1) {
                            if (hi > lo) System.arraycopy(x, src + iw0 + lo, cols, d + lo, hi - lo);
                        } else {
                            for (int t = lo; t < hi; t++) cols[d + t] = x[src + iw0 + t * sw];
                        }
                        if (hi < len) Arrays.fill(cols, d + hi, d + len, 0f);
                    }
                    done += len;
                    i++;
                    j = 0;
                }
            }
        });
    }

    /** dst[c*ldd + r] = src[r*lds + c] for r < rows, c < cols, in 32x32 blocks, parallel over column blocks. */
    static void transpose(float[] src, int sOff, int rows, int cols, int lds, float[] dst, int dOff, int ldd) {
        final int B = 32;
        int cb = (cols + B - 1) / B;
        Parallel.forRange(cb, Math.max(1, 4096 / Math.max(1, rows)), (b0, b1) -> {
            for (int c0 = b0 * B; c0 < Math.min(cols, b1 * B); c0 += B) {
                int c1 = Math.min(cols, c0 + B);
                for (int r0 = 0; r0 < rows; r0 += B) {
                    int r1 = Math.min(rows, r0 + B);
                    for (int c = c0; c < c1; c++) {
                        int d = dOff + c * ldd;
                        for (int r = r0; r < r1; r++) dst[d + r] = src[sOff + r * lds + c];
                    }
                }
            }
        });
    }

    /**
     * Depthwise conv2d: y[n, c, i, j] = b[c] + sum_{p, q} x[n, c, i*sh-ph+p*dh, j*sw-pw+q*dw] w[c, p, q], each
     * tap added as a scaled row segment (the same order of additions as the reference).
     */
    private static void depthwise(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, float[] y) {
        int C = g.C(), H = g.H(), W = g.W(), OH = g.OH(), OW = g.OW(), kh = g.kh(), kw = g.kw();
        int sh = g.sh(), sw = g.sw(), ph = g.ph(), pw = g.pw(), dh = g.dh(), dw = g.dw();
        float[] wf = w.toFloats(); // C*kh*kw values
        Parallel.forRange(g.N() * C, Math.max(1, 16384 / Math.max(1, OH * OW * kh * kw)), (a, b) -> {
            for (int nc = a; nc < b; nc++) {
                int c = nc % C;
                int plane = xOff + nc * H * W;
                float bv = bias == null ? 0f : bias[c];
                for (int i = 0; i < OH; i++) {
                    int yo = (nc * OH + i) * OW;
                    Arrays.fill(y, yo, yo + OW, bv);
                    for (int p = 0; p < kh; p++) {
                        int ih = i * sh - ph + p * dh;
                        if (ih < 0 || ih >= H) continue;
                        int src = plane + ih * W;
                        for (int q = 0; q < kw; q++) {
                            float wv = wf[(c * kh + p) * kw + q];
                            int iw0 = -pw + q * dw;
                            int lo = iw0 >= 0 ? 0 : Math.min(OW, (-iw0 + sw - 1) / sw);
                            int hi = iw0 > W - 1 ? lo : Math.max(lo, Math.min(OW, (W - 1 - iw0) / sw + 1));
                            if (sw == 1) for (int t = lo; t < hi; t++) y[yo + t] += x[src + iw0 + t] * wv;
                            else for (int t = lo; t < hi; t++) y[yo + t] += x[src + iw0 + t * sw] * wv;
                        }
                    }
                }
            }
        });
    }

    /**
     * ConvTranspose1d of x [N, C, L] with w [C, og, k] (PyTorch layout; a {@link WeightMatrix} of C rows of og*k
     * values) into y [N, og*groups, LO]: y[n, o, t*stride - pad + p*dil] += x[n, c, t] w[c, o', p].
     */
    static float[] convTranspose1d(float[] x, int xOff, int N, int C, int L, WeightMatrix w, int k, float[] bias,
                                   int stride, int pad, int outPad, int dil, int groups) {
        return convTranspose1d(x, xOff, N, C, L, w, k, bias, stride, pad, outPad, dil, groups, TILING);
    }

    /**
     * As above with the given tiling. Per group, A = W_g [cg, og*k] is the heap array of a heap F32 weight, else the
     * group's rows decoded to float once (cg x og*k floats), then the same GEMMs for every image.
     */
    static float[] convTranspose1d(float[] x, int xOff, int N, int C, int L, WeightMatrix w, int k, float[] bias,
                                   int stride, int pad, int outPad, int dil, int groups, Tiling tiling) {
        if (groups <= 0 || C % groups != 0) throw new IllegalArgumentException("convTranspose1d: " + C + " input channels do not split into " + groups + " groups");
        if (stride <= 0 || dil <= 0 || pad < 0 || outPad < 0) throw new IllegalArgumentException("convTranspose1d: bad stride/dilation/padding");
        if (k <= 0 || w.rows() != C || w.cols() % k != 0)
            throw new IllegalArgumentException("convTranspose1d " + w.name() + ": weight is " + w.rows() + "x" + w.cols() + ", expected " + C + " rows of (C_out/groups)x" + k);
        int cg = C / groups, M = w.cols(), og = M / k, O = og * groups;
        int LO = (L - 1) * stride - 2 * pad + dil * (k - 1) + outPad + 1;
        if (LO <= 0) throw new IllegalArgumentException("convTranspose1d: output length " + LO);
        if (bias != null && bias.length < O) throw new IllegalArgumentException("convTranspose1d: bias has " + bias.length + " values for " + O + " channels");
        java.util.Objects.checkFromIndexSize(xOff, N * C * L, x.length);
        float[] y = new float[Math.toIntExact((long) N * O * LO)];
        if (N == 0) return y;
        if (bias != null) fillBias(y, N, O, LO, bias);
        int lt = tiling.pixels(M, L);
        float[] cols = new float[M * lt];
        float[] heap = w.heap();
        float[] panel = heap != null ? null : new float[cg * M];
        for (int grp = 0; grp < groups; grp++) {
            if (heap == null) decodeRows(w, grp * cg, cg, panel);
            float[] a = heap != null ? heap : panel;
            int aOff = heap != null ? grp * cg * M : 0;
            for (int n = 0; n < N; n++)
                for (int t0 = 0; t0 < L; t0 += lt) {
                    int nt = Math.min(lt, L - t0);
                    Gemm.sgemm(true, false, M, nt, cg, 1f, a, aOff, M, x, xOff + (n * C + grp * cg) * L + t0, L, 0f, cols, 0, nt);
                    int yBase = (n * O + grp * og) * LO;
                    int first = t0;
                    Parallel.forRange(og, Math.max(1, 16384 / Math.max(1, k * nt)), (o0, o1) -> {
                        for (int o = o0; o < o1; o++) {
                            int yo = yBase + o * LO;
                            for (int p = 0; p < k; p++) {
                                int c = (o * k + p) * nt;
                                int shift = -pad + p * dil;           // y index of x[t] is t*stride + shift
                                int lo = Math.max(0, ceilDiv(-shift, stride) - first);
                                int hi = Math.min(nt, floorDiv(LO - 1 - shift, stride) - first + 1);
                                for (int t = lo; t < hi; t++) y[yo + (first + t) * stride + shift] += cols[c + t];
                            }
                        }
                    });
                }
        }
        return y;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }
}
