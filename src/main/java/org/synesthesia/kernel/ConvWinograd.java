package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3x3 stride-1 pad-1 convolutions (one group, no dilation) by Winograd's minimal filtering F(2x2, 3x3) (Lavin and
 * Gray 2015): each 2x2 block of output pixels of channel o is {@code Y = A^T [sum_c U[o,c] (.) V[c]] A} with
 * {@code U[o,c] = G g[o,c] G^T} (4x4, from the 3x3 kernel g) and {@code V[c] = B^T d[c] B} (4x4, from the 4x4 input
 * patch d whose top-left is pixel (2ti-1, 2tj-1), zero outside the input), where
 * <pre>
 * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]   A^T = [1 1 1 0; 0 1 -1 -1]
 * </pre>
 * The sum over c is, for each of the 16 positions xi of the 4x4 transform, a GEMM {@code M_xi[o, t] = U_xi[o, c] V_xi[c, t]}
 * over the 2x2 tiles t: 16 * C multiply-adds per tile and output channel instead of 36 * C directly (2.25x fewer).
 *
 * <p>Loaded only when {@link Simd#available()}. U is computed once per call into packed A micro-panels (rows of
 * {@link GemmVector#MR} output channels, element (r, c) of panel ir at {@code u[xi*Op*C + ir*C + c*MR + r]}, Op = O
 * rounded up to MR, rows past O zero). Threads take contiguous ranges of panels of {@link GemmVector#NR} tiles (in
 * the order image, tile row, tile column; a panel may span tile rows and images), in blocks of up to 16 panels (V_xi of
 * a block near 128 KB): the input transform of the block writes V as packed B micro-panels (element (c, j) of
 * position xi at {@code v[(p*16 + xi)*C*NR + c*NR + j]} for panel p of the block; each channel's input rows read in
 * long runs; vectors along the tiles, patch columns split into even and odd pixels by lane shuffles); then per xi and
 * MR-row panel of U_xi (in L1) the micro-kernel products ({@link GemmMicroKernels#run}, depth C) with every panel of
 * V_xi (in L2) into M; then the output transform (vectors along the tiles, the two output columns of a tile
 * interleaved by lane selection) writes y with the bias. {@link ConvScalar} is
 * the reference.
 */
final class ConvWinograd {
    private static final VectorSpecies<Float> S = GemmMicroKernels.S;
    private static final int L = GemmMicroKernels.L;
    private static final int MR = GemmVector.MR, NV = GemmVector.NV, NR = GemmVector.NR;
    /** Lane selectors over two vectors (index i < L: the first, L + i: the second): output columns interleaved. */
    private static final FloatVector ZIP_LO, ZIP_HI;
    /** Lane i takes lane 2i (EVEN) or 2i+1 (ODD) mod L; with {@link #HIGH} the upper half from a second vector. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(GemmMicroKernels.S, i -> 2 * i % GemmMicroKernels.L),
            ODD = VectorShuffle.fromOp(GemmMicroKernels.S, i -> (2 * i + 1) % GemmMicroKernels.L);
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(GemmMicroKernels.S, ((1L << GemmMicroKernels.L) - 1) & -(1L << (GemmMicroKernels.L / 2)));
    /**
     * The fewest output pixels (N * OH * OW) for which the weight transform (16/9 of the weights, once per call) pays
     * for itself; {@code -Dsynesthesia.conv.winogradMinPixels}.
     */
    static final int MIN_PIXELS = Integer.getInteger("synesthesia.conv.winogradMinPixels", 2048);

    static {
        float[] lo = new float[L], hi = new float[L];
        for (int i = 0; i < L; i++) {
            lo[i] = (i & 1) == 0 ? i / 2 : L + i / 2;
            hi[i] = (i & 1) == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2;
        }
        ZIP_LO = FloatVector.fromArray(S, lo, 0);
        ZIP_HI = FloatVector.fromArray(S, hi, 0);
    }

    private ConvWinograd() {}

    /** Whether {@link ConvGemm} takes this path for {@code g}: {@link #fits} and at least MIN_PIXELS output pixels. */
    static boolean applies(ConvGeom g) {
        return fits(g) && (long) g.N() * g.P() >= MIN_PIXELS;
    }

    /** 3x3, stride 1, pad 1, no dilation, one group, at least 8 input and MR output channels. */
    static boolean fits(ConvGeom g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.ph() == 1 && g.pw() == 1
                && g.dh() == 1 && g.dw() == 1 && g.groups() == 1 && g.C() >= 8 && g.O() >= MR;
    }

    /**
     * Most panels of a block, and the floats of one position's V over a block (C x block*NR, kept in L2 while every
     * MR-row panel of U_xi is multiplied with it).
     */
    private static final int MAX_BLOCK = 16, BLOCK_FLOATS = 1 << 15;
    /** Stride of the row-transform rows in {@link Work#h}. */
    private static final int HB = MAX_BLOCK * NR;

    /** Per-thread buffers. */
    private static final class Work {
        float[] v = new float[0];
        final float[] h = new float[16 * HB];
        float[] m = new float[0];
        final float[] t = new float[MR * NR];
        final float[] ys = new float[4 * NR];
        /** Segments (runs of tiles in one tile row): image, tile row, first tile column, first index, length. */
        final int[] segN = new int[HB], segTi = new int[HB], segTj = new int[HB], segJ = new int[HB], segLen = new int[HB];
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    /** y [N, O, H, W] = conv3x3(x [N, C, H, W] at {@code x[xOff..]}, w [O, C*9]) + bias; {@link #applies} holds. */
    static void conv2d(float[] x, int xOff, ConvGeom g, WeightMatrix w, float[] bias, float[] y) {
        int N = g.N(), C = g.C(), H = g.H(), W = g.W(), O = g.O();
        int th = (H + 1) / 2, tw = (W + 1) / 2;
        int T = N * th * tw, panels = (T + NR - 1) / NR;
        int Op = (O + MR - 1) / MR * MR;
        float[] u = transformWeights(w, O, C, Op);
        long flopsPerPanel = 2L * 16 * Op * C * NR;
        int grain = (int) Math.max(1, Math.min(panels, 4_000_000L / flopsPerPanel));
        int block = Math.max(1, Math.min(MAX_BLOCK, BLOCK_FLOATS / (C * NR)));
        Parallel.forRange(panels, grain, (p0, p1) -> {
            Work wk = WORK.get();
            if (wk.v.length < 16 * C * NR * block) wk.v = new float[16 * C * NR * block];
            if (wk.m.length < 16 * Op * NR * block) wk.m = new float[16 * Op * NR * block];
            for (int p = p0; p < p1; p += block) {
                int nb = Math.min(block, p1 - p);
                block(x, xOff, N, C, H, W, O, Op, th, tw, p * NR, Math.min(nb * NR, T - p * NR), u, bias, y, wk);
            }
        });
    }

    /**
     * U_xi[o, c] = (G g[o, c] G^T)[xi] in packed A micro-panels of MR rows (see the class comment); g[o, c] is
     * w[o, c*9 .. c*9+9] row-major 3x3.
     */
    static float[] transformWeights(WeightMatrix w, int O, int C, int Op) {
        float[] u = new float[16 * Op * C];
        int plane = Op * C;
        w.eachRow(O, Math.max(1, 8192 / C), (o, src, s0) -> {
            int base = o / MR * MR * C + o % MR;
            for (int c = 0; c < C; c++) transformKernel(src, s0 + c * 9, u, base + c * MR, plane);
        });
        return u;
    }

    /**
     * U = G g G^T for the 3x3 kernel g at {@code g[gi..gi+9]} (row-major), element xi = 4a+b stored at
     * {@code u[xi*plane + d]}. Straight-line: t = G g (rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2), then the same on t's rows.
     */
    private static void transformKernel(float[] g, int gi, float[] u, int d, int plane) {
        float g00 = g[gi], g01 = g[gi + 1], g02 = g[gi + 2];
        float g10 = g[gi + 3], g11 = g[gi + 4], g12 = g[gi + 5];
        float g20 = g[gi + 6], g21 = g[gi + 7], g22 = g[gi + 8];
        transformRow(g00, g01, g02, u, d, plane);
        transformRow(0.5f * (g00 + g10 + g20), 0.5f * (g01 + g11 + g21), 0.5f * (g02 + g12 + g22), u, d + 4 * plane, plane);
        transformRow(0.5f * (g00 - g10 + g20), 0.5f * (g01 - g11 + g21), 0.5f * (g02 - g12 + g22), u, d + 8 * plane, plane);
        transformRow(g20, g21, g22, u, d + 12 * plane, plane);
    }

    /** u[d + b*plane] for b < 4: (t0, (t0+t1+t2)/2, (t0-t1+t2)/2, t2). */
    private static void transformRow(float t0, float t1, float t2, float[] u, int d, int plane) {
        u[d] = t0;
        u[d + plane] = 0.5f * (t0 + t1 + t2);
        u[d + 2 * plane] = 0.5f * (t0 - t1 + t2);
        u[d + 3 * plane] = t2;
    }

    /**
     * The cnt (<= MAX_BLOCK*NR) tiles from global tile index t0: the input transform of all of them (V of panel p at
     * {@code v[p*16*C*NR..]}), then per panel of NR tiles and MR output channels the 16 products and the output transform.
     */
    private static void block(float[] x, int xOff, int N, int C, int H, int W, int O, int Op, int th, int tw, int t0, int cnt,
                              float[] u, float[] bias, float[] y, Work wk) {
        int segs = segments(t0, cnt, th, tw, wk);
        int nb = (cnt + NR - 1) / NR;
        float[] h = wk.h, v = wk.v;
        if (cnt < nb * NR) java.util.Arrays.fill(h, 0f);
        for (int c = 0; c < C; c++) {
            for (int s = 0; s < segs; s++)
                rowTransform(x, xOff + (wk.segN[s] * C + c) * H * W, H, W, wk.segTi[s], wk.segTj[s], wk.segLen[s], h, wk.segJ[s]);
            for (int p = 0; p < nb; p++) columnTransform(h, p * NR, v, p * 16 * C * NR, C, c);
        }
        // M_xi[o, tile] = U_xi V_xi, panel p's at m[((p*16 + xi)*Op + o)*NR + j]; U_xi's MR-row panel stays in L1
        // while it meets the block's panels of V_xi
        int plane = Op * C;
        float[] m = wk.m, t = wk.t;
        for (int xi = 0; xi < 16; xi++)
            for (int ir = 0; ir < Op; ir += MR)
                for (int p = 0; p < nb; p++) {
                    GemmMicroKernels.run(MR, NV, C, u, xi * plane + ir * C, v, (p * 16 + xi) * C * NR, t);
                    System.arraycopy(t, 0, m, ((p * 16 + xi) * Op + ir) * NR, MR * NR);
                }
        for (int p = 0; p < nb; p++) {
            int pcnt = Math.min(NR, cnt - p * NR);
            int psegs = segments(t0 + p * NR, pcnt, th, tw, wk);
            for (int o = 0; o < O; o++) outputTransform(m, p * 16 * Op * NR + o * NR, Op * NR, bias == null ? 0f : bias[o], pcnt, wk, y, N, O, H, W, o, psegs);
        }
    }

    /** Splits the cnt tiles from global index t0 into runs within one tile row (into wk.seg*); returns their number. */
    private static int segments(int t0, int cnt, int th, int tw, Work wk) {
        int segs = 0;
        for (int j = 0, t = t0; j < cnt; segs++) {
            int n = t / (th * tw), rem = t % (th * tw), ti = rem / tw, tj = rem % tw;
            int len = Math.min(cnt - j, tw - tj);
            wk.segN[segs] = n;
            wk.segTi[segs] = ti;
            wk.segTj[segs] = tj;
            wk.segJ[segs] = j;
            wk.segLen[segs] = len;
            j += len;
            t += len;
        }
        return segs;
    }

    /**
     * For the tiles (ti, tj0 .. tj0+len) of one channel plane at {@code x[plane..]}: h[(r*4 + b)*HB + j0 + k] =
     * (d_r B)[b], d_r the r-th patch row (input row 2ti-1+r, columns 2tj-1 .. 2tj+2, zero outside): d0-d2, d1+d2,
     * d2-d1, d1-d3.
     */
    private static void rowTransform(float[] x, int plane, int H, int W, int ti, int tj0, int len, float[] h, int j0) {
        for (int r = 0; r < 4; r++) {
            int ih = 2 * ti - 1 + r;
            int hb = r * 4 * HB + j0;
            if (ih < 0 || ih >= H) {
                for (int b = 0; b < 4; b++) java.util.Arrays.fill(h, hb + b * HB, hb + b * HB + len, 0f);
                continue;
            }
            int row = plane + ih * W;
            int k = 0;
            // vectors of L tiles whose patches lie inside the row (first column 2tj-1 >= 0, last loaded column
            // 2tj+2L <= W-1); the last one moved left (recomputing some tiles) where the row ends sooner
            int kmax = Math.min(len - L, (W - 1 - 2 * L) / 2 - tj0); // last vector start inside the segment and row
            if (tj0 == 0 && len > 0) scalarTile(x, row, W, -1, h, hb + k++);
            while (k < len) {
                int kk = Math.min(k, kmax);
                if (kk < 0 || tj0 + kk == 0 || kk + L <= k) break;
                vectorTiles(x, row + 2 * (tj0 + kk) - 1, h, hb + kk);
                k = kk + L;
            }
            for (; k < len; k++) scalarTile(x, row, W, 2 * (tj0 + k) - 1, h, hb + k);
        }
    }

    /** The row transform of L tiles whose patch row starts at {@code x[s0]} (columns s0 .. s0+2L+1, all inside). */
    private static void vectorTiles(float[] x, int s0, float[] h, int o) {
        FloatVector a = FloatVector.fromArray(S, x, s0), b = FloatVector.fromArray(S, x, s0 + L);
        FloatVector c = FloatVector.fromArray(S, x, s0 + 2), d = FloatVector.fromArray(S, x, s0 + 2 + L);
        FloatVector d0 = a.rearrange(EVEN).blend(b.rearrange(EVEN), HIGH), d1 = a.rearrange(ODD).blend(b.rearrange(ODD), HIGH);
        FloatVector d2 = c.rearrange(EVEN).blend(d.rearrange(EVEN), HIGH), d3 = c.rearrange(ODD).blend(d.rearrange(ODD), HIGH);
        d0.sub(d2).intoArray(h, o);
        d1.add(d2).intoArray(h, o + HB);
        d2.sub(d1).intoArray(h, o + 2 * HB);
        d1.sub(d3).intoArray(h, o + 3 * HB);
    }

    /** One tile's row transform from input columns iw0 .. iw0+3 of the row at {@code x[row..]} (zero outside [0, W)). */
    private static void scalarTile(float[] x, int row, int W, int iw0, float[] h, int o) {
        float d0 = iw0 >= 0 && iw0 < W ? x[row + iw0] : 0f;
        float d1 = iw0 + 1 >= 0 && iw0 + 1 < W ? x[row + iw0 + 1] : 0f;
        float d2 = iw0 + 2 >= 0 && iw0 + 2 < W ? x[row + iw0 + 2] : 0f;
        float d3 = iw0 + 3 >= 0 && iw0 + 3 < W ? x[row + iw0 + 3] : 0f;
        h[o] = d0 - d2;
        h[o + HB] = d1 + d2;
        h[o + 2 * HB] = d2 - d1;
        h[o + 3 * HB] = d1 - d3;
    }

    /**
     * v[vOff + (xi*C + c)*NR + j] for xi = 4a + b and the NR tiles from h column h0: (B^T h_b)[a] over the patch rows,
     * the same four combinations.
     */
    private static void columnTransform(float[] h, int h0, float[] v, int vOff, int C, int c) {
        int plane = C * NR;
        for (int b = 0; b < 4; b++) {
            for (int j = 0; j < NR; j += L) {
                FloatVector h0v = FloatVector.fromArray(S, h, b * HB + h0 + j);
                FloatVector h1 = FloatVector.fromArray(S, h, (4 + b) * HB + h0 + j);
                FloatVector h2 = FloatVector.fromArray(S, h, (8 + b) * HB + h0 + j);
                FloatVector h3 = FloatVector.fromArray(S, h, (12 + b) * HB + h0 + j);
                int o = vOff + c * NR + j;
                h0v.sub(h2).intoArray(v, b * plane + o);
                h1.add(h2).intoArray(v, (4 + b) * plane + o);
                h2.sub(h1).intoArray(v, (8 + b) * plane + o);
                h1.sub(h3).intoArray(v, (12 + b) * plane + o);
            }
        }
    }

    /**
     * Output channel o of a panel, M_xi at {@code m[mOff + xi*ms ..]} (NR tiles): Y = A^T M A per tile, plus the bias,
     * the tile's two output columns interleaved into two output rows of 2*NR pixels, then copied segment by segment
     * into y (rows and columns past H, W dropped).
     */
    private static void outputTransform(float[] m, int mOff, int ms, float bias, int cnt, Work wk, float[] y, int N, int O, int H, int W, int o, int segs) {
        float[] ys = wk.ys;
        FloatVector bv = FloatVector.broadcast(S, bias);
        for (int j = 0; j < cnt; j += L) {
            int q = mOff + j;
            FloatVector z00, z01, z10, z11, z20, z21, z30, z31;
            {
                FloatVector m0 = FloatVector.fromArray(S, m, q), m1 = FloatVector.fromArray(S, m, q + ms);
                FloatVector m2 = FloatVector.fromArray(S, m, q + 2 * ms), m3 = FloatVector.fromArray(S, m, q + 3 * ms);
                z00 = m0.add(m1).add(m2);
                z01 = m1.sub(m2).sub(m3);
            }
            {
                FloatVector m0 = FloatVector.fromArray(S, m, q + 4 * ms), m1 = FloatVector.fromArray(S, m, q + 5 * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, q + 6 * ms), m3 = FloatVector.fromArray(S, m, q + 7 * ms);
                z10 = m0.add(m1).add(m2);
                z11 = m1.sub(m2).sub(m3);
            }
            {
                FloatVector m0 = FloatVector.fromArray(S, m, q + 8 * ms), m1 = FloatVector.fromArray(S, m, q + 9 * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, q + 10 * ms), m3 = FloatVector.fromArray(S, m, q + 11 * ms);
                z20 = m0.add(m1).add(m2);
                z21 = m1.sub(m2).sub(m3);
            }
            {
                FloatVector m0 = FloatVector.fromArray(S, m, q + 12 * ms), m1 = FloatVector.fromArray(S, m, q + 13 * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, q + 14 * ms), m3 = FloatVector.fromArray(S, m, q + 15 * ms);
                z30 = m0.add(m1).add(m2);
                z31 = m1.sub(m2).sub(m3);
            }
            FloatVector y00 = z00.add(z10).add(z20).add(bv), y01 = z01.add(z11).add(z21).add(bv);
            FloatVector y10 = z10.sub(z20).sub(z30).add(bv), y11 = z11.sub(z21).sub(z31).add(bv);
            ZIP_LO.selectFrom(y00, y01).intoArray(ys, 2 * j);
            ZIP_HI.selectFrom(y00, y01).intoArray(ys, 2 * j + L);
            ZIP_LO.selectFrom(y10, y11).intoArray(ys, 2 * NR + 2 * j);
            ZIP_HI.selectFrom(y10, y11).intoArray(ys, 2 * NR + 2 * j + L);
        }
        for (int s = 0; s < segs; s++) {
            int n = wk.segN[s], ti = wk.segTi[s], tj = wk.segTj[s], j0 = wk.segJ[s], len = wk.segLen[s];
            int cols = Math.min(2 * len, W - 2 * tj);
            int plane = (n * O + o) * H * W;
            for (int uu = 0; uu < 2; uu++) {
                int oh = 2 * ti + uu;
                if (oh >= H) break;
                System.arraycopy(ys, uu * 2 * NR + 2 * j0, y, plane + oh * W + 2 * tj, cols);
            }
        }
    }
}
