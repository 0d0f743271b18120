package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API scaled dot-product attention, the definition of {@link AttentionScalar}, never holding more than a
 * tile of scores. Loaded only when {@link Simd#available()}.
 *
 * <p><b>Tiled path</b> (lq >= {@link #ROW_PATH_MAX_Q}), flash-style: K of each head is packed transposed per key
 * tile, {@code kt[h][tile][c][j]} (keys padded with zeros), and V padded to whole vectors per row,
 * {@code vp[h][j][c]}. Each task takes one head and a tile of {@code bq} queries (scaled by {@code scale}) and
 * walks the keys in tiles of {@code bk}: {@code S = Q K^T} (4 rows x 4 vectors of keys per register block,
 * broadcast q times a vector of kt), masked keys set to -inf, then per row the online softmax
 * {@code m' = max(m, max_j S), P = exp(S - m'), l = l e^(m - m') + sum_j P} ({@link VecMath#softmaxTile}) and
 * {@code O = O e^(m - m') + P V} (4 rows x up to 4 vectors of d per register block, the rescaling applied as the
 * accumulators are loaded), and finally {@code o = O / l} (0 for a query that sees no key, as the reference). Tasks are heads x query tiles on {@link Parallel}, ordered so that each thread's share mixes
 * early and late query tiles (causal masks make late tiles dearer).
 *
 * <p>Non-causal attention on many queries runs {@link AttentionTransposed} (queries along the lanes) when the
 * machine has 16-lane vectors; the tiled path below serves causal masks and narrower vectors.
 *
 * <p><b>Row path</b> (few queries, e.g. a decoder step against a KV cache): per head and query, the scores of all
 * visible keys (vector dot products over d), their softmax, and {@code o = sum_j p_j v_j} (vector AXPYs).
 *
 * <p>Every vector value lives inside one method's loop: no {@code FloatVector} crosses a call (see
 * {@link VecMath}).
 */
final class AttentionVector {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    /** Below this many queries the row path runs. */
    static final int ROW_PATH_MAX_Q = 16;
    /** Tile sizes: queries (a multiple of 4) and keys (a multiple of L); -Dsynesthesia.attention.bq / .bk. */
    static final int BQ = Integer.getInteger("synesthesia.attention.bq", 64), BK = Integer.getInteger("synesthesia.attention.bk", 128);

    private AttentionVector() {}

    static void sdpa(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                     float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal) {
        if (!causal && lq >= ROW_PATH_MAX_Q && lk > 0 && heads > 0 && d > 0 && AttentionTransposed.suits()) {
            AttentionTransposed.sdpa(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, AttentionTransposed.BK);
            return;
        }
        sdpa(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, causal,
                lq < ROW_PATH_MAX_Q, BQ, BK);
    }

    /** As above with the path and tile sizes chosen by the caller (tests). */
    static void sdpa(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                     float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal,
                     boolean rowPath, int bq, int bk) {
        if (lq <= 0 || heads <= 0 || d <= 0) return;
        if (bq <= 0 || bq % 4 != 0 || bk <= 0 || bk % L != 0) throw new IllegalArgumentException("attention tiles " + bq + "x" + bk);
        if (lk <= 0) {
            for (int i = 0; i < lq; i++)
                for (int h = 0; h < heads; h++) java.util.Arrays.fill(o, oOff + i * ldo + h * d, oOff + i * ldo + h * d + d, 0f);
            return;
        }
        if (rowPath) rows(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, causal);
        else tiled(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, causal, bq, bk);
    }

    /** Last key index query i may see (-1: none). */
    private static int lastKey(int i, int lq, int lk, boolean causal) {
        return causal ? Math.min(lk - 1, i + lk - lq) : lk - 1;
    }

    // ---------------------------------------------------------------- row path

    private static void rows(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                             float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal) {
        Parallel.forRange(heads * lq, Math.max(1, 32768 / Math.max(1, lk * d)), (t0, t1) -> {
            float[] s = new float[lk];
            float[] acc = new float[(d + L - 1) / L * L];
            for (int t = t0; t < t1; t++) {
                int h = t % heads, i = t / heads;
                int last = lastKey(i, lq, lk, causal);
                int oRow = oOff + i * ldo + h * d;
                if (last < 0) {
                    java.util.Arrays.fill(o, oRow, oRow + d, 0f);
                    continue;
                }
                int n = last + 1;
                scores(q, qOff + i * ldq + h * d, k, kOff + h * d, ldk, n, d, scale, s);
                float max = ActVector.max(s, 0, n);
                double sum = ActVector.expShift(s, 0, n, max);
                weightedSum(s, n, v, vOff + h * d, ldv, d, acc);
                float inv = (float) (1 / sum);
                for (int c = 0; c < d; c++) o[oRow + c] = acc[c] * inv;
            }
        });
    }

    /** s[j] = scale * (q . k_j) for j < n, k_j = k[kBase + j*ldk, +d). */
    private static void scores(float[] q, int qBase, float[] k, int kBase, int ldk, int n, int d, float scale, float[] s) {
        int full = d / L * L;
        VectorMask<Float> tail = S.indexInRange(full, d);
        for (int j = 0; j < n; j++) {
            int kr = kBase + j * ldk;
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < full; c += L)
                acc = FloatVector.fromArray(S, q, qBase + c).fma(FloatVector.fromArray(S, k, kr + c), acc);
            if (full < d)
                acc = FloatVector.fromArray(S, q, qBase + full, tail).fma(FloatVector.fromArray(S, k, kr + full, tail), acc);
            s[j] = Lanes.sum(acc) * scale;
        }
    }

    /** acc[0, d) = sum_{j < n} p[j] v_j, v_j = v[vBase + j*ldv, +d). */
    private static void weightedSum(float[] p, int n, float[] v, int vBase, int ldv, int d, float[] acc) {
        for (int c = 0; c < d; c += L) {
            VectorMask<Float> m = S.indexInRange(c, d);
            FloatVector a = FloatVector.zero(S);
            if (m.allTrue()) {
                for (int j = 0; j < n; j++)
                    a = FloatVector.fromArray(S, v, vBase + j * ldv + c).fma(FloatVector.broadcast(S, p[j]), a);
            } else {
                for (int j = 0; j < n; j++)
                    a = FloatVector.fromArray(S, v, vBase + j * ldv + c, m).fma(FloatVector.broadcast(S, p[j]), a);
            }
            a.intoArray(acc, c);
        }
    }

    // ---------------------------------------------------------------- tiled path

    private static void tiled(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                              float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal,
                              int bq, int bk) {
        int dp = (d + L - 1) / L * L;          // d padded to whole vectors
        int nkt = (lk + bk - 1) / bk;          // key tiles
        float[] kt = new float[Math.toIntExact((long) heads * nkt * d * bk)];
        float[] vp = new float[Math.toIntExact((long) heads * lk * dp)];
        pack(k, kOff, ldk, v, vOff, ldv, lk, heads, d, dp, bk, nkt, kt, vp);
        int nq = (lq + bq - 1) / bq;
        Parallel.forRange(heads * nq, 1, (t0, t1) -> {
            Tile tile = new Tile(bq, bk, d, dp);
            for (int t = t0; t < t1; t++) {
                int h = t % heads, u = t / heads;
                int qt = (u & 1) == 0 ? u / 2 : nq - 1 - u / 2;     // 0, nq-1, 1, nq-2, ...
                tile.run(q, qOff, ldq, o, oOff, ldo, kt, vp, h, qt * bq, Math.min(bq, lq - qt * bq), lq, lk, nkt, scale, causal);
            }
        });
    }

    /**
     * kt[h][t][c][jj] = k[t*bk + jj, h*d + c], key tiles of bk contiguous (zero past lk), so a tile's rows are bk
     * floats apart, not lk (rows lk floats apart map to the same cache sets); vp[h][j][c] = v[j, h*d + c] (zero
     * for c >= d).
     */
    private static void pack(float[] k, int kOff, int ldk, float[] v, int vOff, int ldv, int lk, int heads, int d, int dp, int bk, int nkt,
                             float[] kt, float[] vp) {
        final int JB = 64;
        int jBlocks = (lk + JB - 1) / JB;
        Parallel.forRange(heads * jBlocks, Math.max(1, 4096 / (JB * d)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int h = t / jBlocks, j0 = t % jBlocks * JB, j1 = Math.min(lk, j0 + JB);
                for (int j = j0; j < j1; j++) {
                    int src = kOff + j * ldk + h * d;
                    int dst = (h * nkt + j / bk) * d * bk + j % bk;
                    for (int c = 0; c < d; c++) kt[dst + c * bk] = k[src + c];
                    System.arraycopy(v, vOff + j * ldv + h * d, vp, (h * lk + j) * dp, d);
                }
            }
        });
    }

    /** One task's buffers and the tile loop: queries [i0, i0 + rows) of head h. */
    private static final class Tile {
        final int bq, bk, d, dp;
        final float[] qs;     // [bq][d], scaled queries; rows past `rows` are zero
        final float[] s;      // [bq][bk] scores, then probabilities
        final float[] acc;    // [bq][dp] unnormalised output
        final float[] m, l;   // running max and sum per row
        final float[] corr;   // per row: exp(old max - new max), applied to acc by pv

        Tile(int bq, int bk, int d, int dp) {
            this.bq = bq;
            this.bk = bk;
            this.d = d;
            this.dp = dp;
            qs = new float[bq * d];
            s = new float[bq * bk];
            acc = new float[bq * dp];
            m = new float[bq];
            l = new float[bq];
            corr = new float[bq];
        }

        void run(float[] q, int qOff, int ldq, float[] o, int oOff, int ldo, float[] kt, float[] vp, int h, int i0, int rows,
                 int lq, int lk, int nkt, float scale, boolean causal) {
            int rows4 = (rows + 3) & ~3;
            java.util.Arrays.fill(qs, 0f);
            for (int r = 0; r < rows; r++) {
                int src = qOff + (i0 + r) * ldq + h * d;
                for (int c = 0; c < d; c++) qs[r * d + c] = q[src + c] * scale;
            }
            java.util.Arrays.fill(acc, 0, rows4 * dp, 0f);
            java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(l, 0f);
            java.util.Arrays.fill(corr, 1f);      // rows past `rows` (zero queries) keep corr = 1
            // keys any row of the tile may see
            int jEnd = causal ? Math.min(lk, i0 + rows - 1 + lk - lq + 1) : lk;
            int vBase = h * lk * dp;
            for (int j0 = 0; j0 < jEnd; j0 += bk) {
                int nk = Math.min(bk, jEnd - j0);
                int nkp = (nk + L - 1) / L * L;
                qk(qs, kt, (h * nkt + j0 / bk) * d * bk, bk, rows4, nkp, d, s, bk);
                if (nk < nkp || causal && j0 + nk - 1 > i0 + lk - lq) {     // keys past the tile end or the causal limit
                    for (int r = 0; r < rows; r++) {
                        int visible = causal ? Math.max(0, Math.min(nk, lastKey(i0 + r, lq, lk, true) - j0 + 1)) : nk;
                        java.util.Arrays.fill(s, r * bk + visible, r * bk + nkp, Float.NEGATIVE_INFINITY);
                    }
                }
                VecMath.softmaxTile(s, bk, rows, nkp, m, l, corr);
                pv(s, bk, vp, vBase + j0 * dp, dp, rows4, nk, corr, acc);
            }
            for (int r = 0; r < rows; r++) {
                int dst = oOff + (i0 + r) * ldo + h * d;
                float inv = l[r] == 0f ? 0f : 1f / l[r];
                for (int c = 0; c < d; c++) o[dst + c] = acc[r * dp + c] * inv;
            }
        }
    }

    /**
     * s[r*lds + j] = sum_c qs[r*d + c] * kt[kt0 + c*ldkt + j] for r < rows (a multiple of 4), j < nkp (a multiple
     * of L): register blocks of 4 rows x 4 vectors, then 4 rows x 1 vector.
     */
    static void qk(float[] qs, float[] kt, int kt0, int ldkt, int rows, int nkp, int d, float[] s, int lds) {
        for (int r = 0; r < rows; r += 4) {
            int q0 = r * d, q1 = q0 + d, q2 = q1 + d, q3 = q2 + d;
            int j = 0;
            for (; j + 4 * L <= nkp; j += 4 * L) {
                FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
                FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
                FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
                FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
                for (int c = 0; c < d; c++) {
                    int kb = kt0 + c * ldkt + j;
                    FloatVector k0 = FloatVector.fromArray(S, kt, kb);
                    FloatVector k1 = FloatVector.fromArray(S, kt, kb + L);
                    FloatVector k2 = FloatVector.fromArray(S, kt, kb + 2 * L);
                    FloatVector k3 = FloatVector.fromArray(S, kt, kb + 3 * L);
                    FloatVector b = FloatVector.broadcast(S, qs[q0 + c]);
                    a00 = b.fma(k0, a00); a01 = b.fma(k1, a01); a02 = b.fma(k2, a02); a03 = b.fma(k3, a03);
                    b = FloatVector.broadcast(S, qs[q1 + c]);
                    a10 = b.fma(k0, a10); a11 = b.fma(k1, a11); a12 = b.fma(k2, a12); a13 = b.fma(k3, a13);
                    b = FloatVector.broadcast(S, qs[q2 + c]);
                    a20 = b.fma(k0, a20); a21 = b.fma(k1, a21); a22 = b.fma(k2, a22); a23 = b.fma(k3, a23);
                    b = FloatVector.broadcast(S, qs[q3 + c]);
                    a30 = b.fma(k0, a30); a31 = b.fma(k1, a31); a32 = b.fma(k2, a32); a33 = b.fma(k3, a33);
                }
                int s0 = r * lds + j, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds;
                a00.intoArray(s, s0); a01.intoArray(s, s0 + L); a02.intoArray(s, s0 + 2 * L); a03.intoArray(s, s0 + 3 * L);
                a10.intoArray(s, s1); a11.intoArray(s, s1 + L); a12.intoArray(s, s1 + 2 * L); a13.intoArray(s, s1 + 3 * L);
                a20.intoArray(s, s2); a21.intoArray(s, s2 + L); a22.intoArray(s, s2 + 2 * L); a23.intoArray(s, s2 + 3 * L);
                a30.intoArray(s, s3); a31.intoArray(s, s3 + L); a32.intoArray(s, s3 + 2 * L); a33.intoArray(s, s3 + 3 * L);
            }
            for (; j < nkp; j += L) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int c = 0; c < d; c++) {
                    FloatVector k0 = FloatVector.fromArray(S, kt, kt0 + c * ldkt + j);
                    a0 = FloatVector.broadcast(S, qs[q0 + c]).fma(k0, a0);
                    a1 = FloatVector.broadcast(S, qs[q1 + c]).fma(k0, a1);
                    a2 = FloatVector.broadcast(S, qs[q2 + c]).fma(k0, a2);
                    a3 = FloatVector.broadcast(S, qs[q3 + c]).fma(k0, a3);
                }
                int s0 = r * lds + j;
                a0.intoArray(s, s0); a1.intoArray(s, s0 + lds); a2.intoArray(s, s0 + 2 * lds); a3.intoArray(s, s0 + 3 * lds);
            }
        }
    }

    /**
     * acc[r*dp + c] = corr[r] acc[r*dp + c] + sum_{j < nk} p[r*ldp + j] * vp[v0 + j*dp + c] for r < rows (a
     * multiple of 4), c < dp (a multiple of L): register blocks of 4 rows x up to 4 vectors of columns (d = 40 is 3
     * vectors of 16, 64 is 4).
     */
    static void pv(float[] p, int ldp, float[] vp, int v0, int dp, int rows, int nk, float[] corr, float[] acc) {
        for (int r = 0; r < rows; r += 4) {
            int c = 0;
            for (; dp - c >= 4 * L; c += 4 * L) pv4(p, ldp, vp, v0, dp, r, c, nk, corr, acc);
            switch ((dp - c) / L) {
                case 3 -> pv3(p, ldp, vp, v0, dp, r, c, nk, corr, acc);
                case 2 -> pv2(p, ldp, vp, v0, dp, r, c, nk, corr, acc);
                case 1 -> pv1(p, ldp, vp, v0, dp, r, c, nk, corr, acc);
                default -> { }
            }
        }
    }

    /** {@link #pv} on columns [c, c + 4L) of 4 rows: 16 accumulators. */
    private static void pv4(float[] p, int ldp, float[] vp, int v0, int dp, int r, int c, int nk, float[] corr, float[] acc) {
        int p0 = r * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp;
        int o0 = r * dp + c, o1 = o0 + dp, o2 = o1 + dp, o3 = o2 + dp;
        float c0 = corr[r], c1 = corr[r + 1], c2 = corr[r + 2], c3 = corr[r + 3];
        FloatVector a00 = FloatVector.fromArray(S, acc, o0).mul(c0), a01 = FloatVector.fromArray(S, acc, o0 + L).mul(c0), a02 = FloatVector.fromArray(S, acc, o0 + 2 * L).mul(c0), a03 = FloatVector.fromArray(S, acc, o0 + 3 * L).mul(c0);
        FloatVector a10 = FloatVector.fromArray(S, acc, o1).mul(c1), a11 = FloatVector.fromArray(S, acc, o1 + L).mul(c1), a12 = FloatVector.fromArray(S, acc, o1 + 2 * L).mul(c1), a13 = FloatVector.fromArray(S, acc, o1 + 3 * L).mul(c1);
        FloatVector a20 = FloatVector.fromArray(S, acc, o2).mul(c2), a21 = FloatVector.fromArray(S, acc, o2 + L).mul(c2), a22 = FloatVector.fromArray(S, acc, o2 + 2 * L).mul(c2), a23 = FloatVector.fromArray(S, acc, o2 + 3 * L).mul(c2);
        FloatVector a30 = FloatVector.fromArray(S, acc, o3).mul(c3), a31 = FloatVector.fromArray(S, acc, o3 + L).mul(c3), a32 = FloatVector.fromArray(S, acc, o3 + 2 * L).mul(c3), a33 = FloatVector.fromArray(S, acc, o3 + 3 * L).mul(c3);
        for (int j = 0; j < nk; j++) {
            int vb = v0 + j * dp + c;
            FloatVector x0 = FloatVector.fromArray(S, vp, vb);
            FloatVector x1 = FloatVector.fromArray(S, vp, vb + L);
            FloatVector x2 = FloatVector.fromArray(S, vp, vb + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, vp, vb + 3 * L);
            FloatVector b0 = FloatVector.broadcast(S, p[p0 + j]);
            a00 = b0.fma(x0, a00); a01 = b0.fma(x1, a01); a02 = b0.fma(x2, a02); a03 = b0.fma(x3, a03);
            FloatVector b1 = FloatVector.broadcast(S, p[p1 + j]);
            a10 = b1.fma(x0, a10); a11 = b1.fma(x1, a11); a12 = b1.fma(x2, a12); a13 = b1.fma(x3, a13);
            FloatVector b2 = FloatVector.broadcast(S, p[p2 + j]);
            a20 = b2.fma(x0, a20); a21 = b2.fma(x1, a21); a22 = b2.fma(x2, a22); a23 = b2.fma(x3, a23);
            FloatVector b3 = FloatVector.broadcast(S, p[p3 + j]);
            a30 = b3.fma(x0, a30); a31 = b3.fma(x1, a31); a32 = b3.fma(x2, a32); a33 = b3.fma(x3, a33);
        }
        a00.intoArray(acc, o0); a01.intoArray(acc, o0 + L); a02.intoArray(acc, o0 + 2 * L); a03.intoArray(acc, o0 + 3 * L);
        a10.intoArray(acc, o1); a11.intoArray(acc, o1 + L); a12.intoArray(acc, o1 + 2 * L); a13.intoArray(acc, o1 + 3 * L);
        a20.intoArray(acc, o2); a21.intoArray(acc, o2 + L); a22.intoArray(acc, o2 + 2 * L); a23.intoArray(acc, o2 + 3 * L);
        a30.intoArray(acc, o3); a31.intoArray(acc, o3 + L); a32.intoArray(acc, o3 + 2 * L); a33.intoArray(acc, o3 + 3 * L);
    }

    /** {@link #pv} on columns [c, c + 3L) of 4 rows: 12 accumulators. */
    private static void pv3(float[] p, int ldp, float[] vp, int v0, int dp, int r, int c, int nk, float[] corr, float[] acc) {
        int p0 = r * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp;
        int o0 = r * dp + c, o1 = o0 + dp, o2 = o1 + dp, o3 = o2 + dp;
        float c0 = corr[r], c1 = corr[r + 1], c2 = corr[r + 2], c3 = corr[r + 3];
        FloatVector a00 = FloatVector.fromArray(S, acc, o0).mul(c0), a01 = FloatVector.fromArray(S, acc, o0 + L).mul(c0), a02 = FloatVector.fromArray(S, acc, o0 + 2 * L).mul(c0);
        FloatVector a10 = FloatVector.fromArray(S, acc, o1).mul(c1), a11 = FloatVector.fromArray(S, acc, o1 + L).mul(c1), a12 = FloatVector.fromArray(S, acc, o1 + 2 * L).mul(c1);
        FloatVector a20 = FloatVector.fromArray(S, acc, o2).mul(c2), a21 = FloatVector.fromArray(S, acc, o2 + L).mul(c2), a22 = FloatVector.fromArray(S, acc, o2 + 2 * L).mul(c2);
        FloatVector a30 = FloatVector.fromArray(S, acc, o3).mul(c3), a31 = FloatVector.fromArray(S, acc, o3 + L).mul(c3), a32 = FloatVector.fromArray(S, acc, o3 + 2 * L).mul(c3);
        for (int j = 0; j < nk; j++) {
            int vb = v0 + j * dp + c;
            FloatVector x0 = FloatVector.fromArray(S, vp, vb);
            FloatVector x1 = FloatVector.fromArray(S, vp, vb + L);
            FloatVector x2 = FloatVector.fromArray(S, vp, vb + 2 * L);
            FloatVector b0 = FloatVector.broadcast(S, p[p0 + j]);
            a00 = b0.fma(x0, a00); a01 = b0.fma(x1, a01); a02 = b0.fma(x2, a02);
            FloatVector b1 = FloatVector.broadcast(S, p[p1 + j]);
            a10 = b1.fma(x0, a10); a11 = b1.fma(x1, a11); a12 = b1.fma(x2, a12);
            FloatVector b2 = FloatVector.broadcast(S, p[p2 + j]);
            a20 = b2.fma(x0, a20); a21 = b2.fma(x1, a21); a22 = b2.fma(x2, a22);
            FloatVector b3 = FloatVector.broadcast(S, p[p3 + j]);
            a30 = b3.fma(x0, a30); a31 = b3.fma(x1, a31); a32 = b3.fma(x2, a32);
        }
        a00.intoArray(acc, o0); a01.intoArray(acc, o0 + L); a02.intoArray(acc, o0 + 2 * L);
        a10.intoArray(acc, o1); a11.intoArray(acc, o1 + L); a12.intoArray(acc, o1 + 2 * L);
        a20.intoArray(acc, o2); a21.intoArray(acc, o2 + L); a22.intoArray(acc, o2 + 2 * L);
        a30.intoArray(acc, o3); a31.intoArray(acc, o3 + L); a32.intoArray(acc, o3 + 2 * L);
    }

    /** {@link #pv} on columns [c, c + 2L) of 4 rows: 8 accumulators. */
    private static void pv2(float[] p, int ldp, float[] vp, int v0, int dp, int r, int c, int nk, float[] corr, float[] acc) {
        int p0 = r * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp;
        int o0 = r * dp + c, o1 = o0 + dp, o2 = o1 + dp, o3 = o2 + dp;
        float c0 = corr[r], c1 = corr[r + 1], c2 = corr[r + 2], c3 = corr[r + 3];
        FloatVector a00 = FloatVector.fromArray(S, acc, o0).mul(c0), a01 = FloatVector.fromArray(S, acc, o0 + L).mul(c0);
        FloatVector a10 = FloatVector.fromArray(S, acc, o1).mul(c1), a11 = FloatVector.fromArray(S, acc, o1 + L).mul(c1);
        FloatVector a20 = FloatVector.fromArray(S, acc, o2).mul(c2), a21 = FloatVector.fromArray(S, acc, o2 + L).mul(c2);
        FloatVector a30 = FloatVector.fromArray(S, acc, o3).mul(c3), a31 = FloatVector.fromArray(S, acc, o3 + L).mul(c3);
        for (int j = 0; j < nk; j++) {
            int vb = v0 + j * dp + c;
            FloatVector x0 = FloatVector.fromArray(S, vp, vb);
            FloatVector x1 = FloatVector.fromArray(S, vp, vb + L);
            FloatVector b0 = FloatVector.broadcast(S, p[p0 + j]);
            a00 = b0.fma(x0, a00); a01 = b0.fma(x1, a01);
            FloatVector b1 = FloatVector.broadcast(S, p[p1 + j]);
            a10 = b1.fma(x0, a10); a11 = b1.fma(x1, a11);
            FloatVector b2 = FloatVector.broadcast(S, p[p2 + j]);
            a20 = b2.fma(x0, a20); a21 = b2.fma(x1, a21);
            FloatVector b3 = FloatVector.broadcast(S, p[p3 + j]);
            a30 = b3.fma(x0, a30); a31 = b3.fma(x1, a31);
        }
        a00.intoArray(acc, o0); a01.intoArray(acc, o0 + L);
        a10.intoArray(acc, o1); a11.intoArray(acc, o1 + L);
        a20.intoArray(acc, o2); a21.intoArray(acc, o2 + L);
        a30.intoArray(acc, o3); a31.intoArray(acc, o3 + L);
    }

    /** {@link #pv} on columns [c, c + 1L) of 4 rows: 4 accumulators. */
    private static void pv1(float[] p, int ldp, float[] vp, int v0, int dp, int r, int c, int nk, float[] corr, float[] acc) {
        int p0 = r * ldp, p1 = p0 + ldp, p2 = p1 + ldp, p3 = p2 + ldp;
        int o0 = r * dp + c, o1 = o0 + dp, o2 = o1 + dp, o3 = o2 + dp;
        float c0 = corr[r], c1 = corr[r + 1], c2 = corr[r + 2], c3 = corr[r + 3];
        FloatVector a00 = FloatVector.fromArray(S, acc, o0).mul(c0);
        FloatVector a10 = FloatVector.fromArray(S, acc, o1).mul(c1);
        FloatVector a20 = FloatVector.fromArray(S, acc, o2).mul(c2);
        FloatVector a30 = FloatVector.fromArray(S, acc, o3).mul(c3);
        for (int j = 0; j < nk; j++) {
            int vb = v0 + j * dp + c;
            FloatVector x0 = FloatVector.fromArray(S, vp, vb);
            FloatVector b0 = FloatVector.broadcast(S, p[p0 + j]);
            a00 = b0.fma(x0, a00);
            FloatVector b1 = FloatVector.broadcast(S, p[p1 + j]);
            a10 = b1.fma(x0, a10);
            FloatVector b2 = FloatVector.broadcast(S, p[p2 + j]);
            a20 = b2.fma(x0, a20);
            FloatVector b3 = FloatVector.broadcast(S, p[p3 + j]);
            a30 = b3.fma(x0, a30);
        }
        a00.intoArray(acc, o0);
        a10.intoArray(acc, o1);
        a20.intoArray(acc, o2);
        a30.intoArray(acc, o3);
    }
}
