package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * conv2d (conv1d is H = 1) of one group as a blocked GEMM {@code Y[O, P] = W[O, K] cols[K, P] + b} with implicit
 * im2col: the B micro-panels are packed straight from the input image (no column buffer), and W is packed once per
 * call into A micro-panels shared by all threads (no repacking per tile). Loaded only when {@link Simd#available()};
 * {@link ConvScalar} is the reference.
 *
 * <p>W packed: per depth block kb of {@link #KC} rows of K (k = (c, p, q)), per {@link GemmVector#MR}-row panel ir:
 * element (r, k) at {@code a[Op*k0 + ir*kc + (k-k0)*MR + r]} (Op = O rounded up to MR, rows past O zero). Threads take
 * chunks of {@link #CHUNK} output pixels of one image; per chunk and depth block, B[kc, chunk] is packed in
 * NR-column micro-panels (element (k, j) at {@code b[jr*kc + k*NR + j]}: x[n, c, i*sh-ph+p*dh, j*sw-pw+q*dw] for
 * output pixel (i, j), zero outside), then every A panel meets every B panel ({@link GemmMicroKernels#run}) and the
 * tile is stored (first depth block, plus the bias) or added into y.
 */
final class ConvPacked {
    private static final VectorSpecies<Float> S = GemmMicroKernels.S;
    private static final int L = GemmMicroKernels.L;
    private static final int MR = GemmVector.MR, NV = GemmVector.NV, NR = GemmVector.NR;
    /** Depth of a block (a B micro-panel KC x NR stays in L1), output pixels per chunk (a multiple of NR). */
    static final int KC = 256, CHUNK = 16 * NR;
    /** The largest packed W (floats) this path takes; larger weights go to {@link ConvGemm}'s panel-decoded SGEMM. */
    static final int MAX_WEIGHT_FLOATS = 1 << 22;

    private ConvPacked() {}

    /** One group, not depthwise, and W (rounded up to MR rows) within {@link #MAX_WEIGHT_FLOATS}. */
    static boolean applies(ConvGeom g) {
        return g.groups() == 1 && g.O() >= 2 && (long) (g.O() + MR - 1) / MR * MR * g.K() <= MAX_WEIGHT_FLOATS;
    }

    private static final class Work {
        float[] b = new float[0];
        final float[] t = new float[MR * NR];
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    /** y [N, O, OH, OW] (all of it written) for x [N, C, H, W] at {@code x[xOff..]}. */
    static void conv2d(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, float[] y) {
        int O = g.O(), K = g.K(), P = g.P(), N = g.N();
        int Op = (O + MR - 1) / MR * MR;
        float[] a = packWeights(w, O, K, Op);
        int chunks = (P + CHUNK - 1) / CHUNK;
        Parallel.forRange(N * chunks, 1, (u0, u1) -> {
            Work wk = WORK.get();
            int need = KC * CHUNK;
            if (wk.b.length < need) wk.b = new float[need];
            for (int u = u0; u < u1; u++) {
                int n = u / chunks, p0 = u % chunks * CHUNK;
                chunk(x, xOff, g, a, Op, bias, y, n, p0, Math.min(CHUNK, P - p0), wk);
            }
        });
    }

    /** W [O, K] (decoded) into the packed A layout of the class comment. */
    static float[] packWeights(WeightMatrix w, int O, int K, int Op) {
        float[] a = new float[Op * K];
        w.eachRow(O, Math.max(1, 16384 / K), (o, src, s0) -> {
            int ir = o / MR * MR, r = o % MR;
            for (int k0 = 0; k0 < K; k0 += KC) {
                int kc = Math.min(KC, K - k0);
                int d = Op * k0 + ir * kc + r;
                for (int k = 0; k < kc; k++) a[d + k * MR] = src[s0 + k0 + k];
            }
        });
        return a;
    }

    /** Output pixels [p0, p0+np) of image n, all output channels. */
    private static void chunk(float[] x, int xOff, ConvGeom g, float[] a, int Op, float[] bias, float[] y, int n, int p0, int np, Work wk) {
        int O = g.O(), K = g.K(), P = g.P();
        float[] b = wk.b, t = wk.t;
        int panels = (np + NR - 1) / NR;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            for (int jr = 0; jr < panels; jr++) packB(x, xOff, g, n, k0, kc, p0 + jr * NR, Math.min(NR, np - jr * NR), b, jr * NR * kc);
            boolean first = k0 == 0;
            int ab = Op * k0;
            for (int jr = 0; jr < panels; jr++) {
                int cols = Math.min(NR, np - jr * NR);
                for (int ir = 0; ir < Op; ir += MR) {
                    GemmMicroKernels.run(MR, NV, kc, a, ab + ir * kc, b, jr * NR * kc, t);
                    int rows = Math.min(MR, O - ir);
                    int yc = (n * O + ir) * P + p0 + jr * NR;
                    store(t, rows, cols, y, yc, P, first, bias, ir);
                }
            }
        }
    }

    /** y[yc + r*P + j] = t[r*NR + j] + bias[o0 + r] (first) or += t[r*NR + j], r < rows, j < cols. */
    private static void store(float[] t, int rows, int cols, float[] y, int yc, int P, boolean first, float[] bias, int o0) {
        int vec = cols / L * L;
        for (int r = 0; r < rows; r++) {
            int c = yc + r * P, tr = r * NR;
            int j = 0;
            if (first) {
                float bv = bias == null ? 0f : bias[o0 + r];
                FloatVector bvv = FloatVector.broadcast(S, bv);
                for (; j < vec; j += L) FloatVector.fromArray(S, t, tr + j).add(bvv).intoArray(y, c + j);
                for (; j < cols; j++) y[c + j] = t[tr + j] + bv;
            } else {
                for (; j < vec; j += L) FloatVector.fromArray(S, t, tr + j).add(FloatVector.fromArray(S, y, c + j)).intoArray(y, c + j);
                for (; j < cols; j++) y[c + j] += t[tr + j];
            }
        }
    }

    /**
     * B[k0 .. k0+kc, pixels q0 .. q0+cols) of image n into one NR-wide micro-panel at {@code b[bo..]} (element (k, j) at
     * {@code b[bo + k*NR + j]}, columns past cols zero): x[n, c, i*sh-ph+p*dh, j*sw-pw+q*dw] for k0+k = (c, p, q) and
     * output pixel (i, j), zero outside the input.
     */
    private static void packB(float[] x, int xOff, ConvGeom g, int n, int k0, int kc, int q0, int cols, float[] b, int bo) {
        int kh = g.kh(), kw = g.kw(), taps = kh * kw;
        int H = g.H(), W = g.W(), OW = g.OW(), C = g.C();
        int sh = g.sh(), sw = g.sw(), ph = g.ph(), pw = g.pw(), dh = g.dh(), dw = g.dw();
        int i0 = q0 / OW, j0 = q0 % OW;
        // the panel's pixels lie in one output row: each B row is a strided run of one input row
        boolean oneRow = j0 + cols <= OW;
        for (int k = 0; k < kc; k++) {
            int kk = k0 + k;
            int c = kk / taps, p = kk / kw % kh, q = kk % kw;
            int plane = xOff + (n * C + c) * H * W;
            int d = bo + k * NR;
            if (oneRow) {
                int ih = i0 * sh - ph + p * dh;
                if (ih < 0 || ih >= H) {
                    java.util.Arrays.fill(b, d, d + NR, 0f);
                    continue;
                }
                int src = plane + ih * W;
                int iw0 = j0 * sw - pw + q * dw;
                if (sw == 1 && cols == NR && iw0 >= 0 && iw0 + NR <= W) {
                    for (int v = 0; v < NR; v += L) FloatVector.fromArray(S, x, src + iw0 + v).intoArray(b, d + v);
                    continue;
                }
                for (int j = 0; j < cols; j++) {
                    int iw = iw0 + j * sw;
                    b[d + j] = iw >= 0 && iw < W ? x[src + iw] : 0f;
                }
            } else {
                int i = i0, jj = j0;
                for (int j = 0; j < cols; j++) {
                    int ih = i * sh - ph + p * dh, iw = jj * sw - pw + q * dw;
                    b[d + j] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x[plane + ih * W + iw] : 0f;
                    if (++jj == OW) {
                        jj = 0;
                        i++;
                    }
                }
            }
            for (int j = cols; j < NR; j++) b[d + j] = 0f;
        }
    }
}
