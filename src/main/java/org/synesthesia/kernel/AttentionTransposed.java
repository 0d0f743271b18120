package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Non-causal scaled dot-product attention with queries along the vector lanes, the definition of
 * {@link AttentionScalar} (used by {@link AttentionVector} for many queries on 16-lane vectors, where its 8 x 3 register
 * blocks of 24 accumulators fit the 32 vector registers).
 *
 * <p>A task takes one head h and a block of {@link #BQ} = 3L queries, packed transposed and scaled,
 * {@code qt[c][x] = scale * q[i0 + x, h*d + c]} (zero past lq), and walks the keys in tiles of {@code bk}:
 * <pre>
 * st[j][x] = sum_c k[j0 + j, h*d + c] qt[c][x]           8 keys (broadcast) x 3 vectors of queries per block
 * m'[x] = max(m[x], max_j st[j][x]);  st[j][x] = exp(st[j][x] - m'[x])    lane-wise online softmax
 * corr[x] = exp(m[x] - m'[x]);  l[x] = l[x] corr[x] + sum_j st[j][x]
 * ot[c][x] = corr[x] ot[c][x] + sum_j v[j0 + j, h*d + c] st[j][x]          8 channels (broadcast) x 3 vectors
 * </pre>
 * then {@code o[i0 + x, h*d + c] = ot[c][x] / l[x]}. K and V are read in place (no packing) and d needs no padding;
 * every sum over c or j runs in index order, so results do not depend on tiling across threads. Tasks (heads x
 * query blocks, head-major so that a thread reuses one head's K and V) are split over {@link Parallel}.
 *
 * <p>exp is {@link VecMath}'s (degree-6 polynomial, exp(x < -87.33) = 0). Every vector value lives inside one
 * method's loop: no {@code FloatVector} crosses a call.
 */
final class AttentionTransposed {
    private static final VectorSpecies<Float> S = VecMath.S;
    private static final int L = VecMath.L;
    /** Queries per task: 3 vectors. */
    static final int BQ = 3 * L;
    /** Keys (or channels) per register block. */
    private static final int R = 8;
    /** Keys per tile; -Dsynesthesia.attention.tbk. */
    static final int BK = Integer.getInteger("synesthesia.attention.tbk", 128);

    private static final float E2 = 0.49999991059303284f, E3 = 0.16666419804096222f, E4 = 0.04166821017861366f,
            E5 = 0.00837482139468193f, E6 = 0.0013837730512022972f;
    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.4286068203094172e-06f;
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    private static final float EXP_MIN = -87.33f, EXP_MAX = 88.3f;

    private AttentionTransposed() {}

    /** Whether this kernel suits the machine: 16 or more lanes (AVX-512's 32 registers hold its 24 accumulators). */
    static boolean suits() {
        return L >= 16;
    }

    /** As {@link Attention#sdpa}, non-causal, lk >= 1, key tiles of {@code bk} (>= 1). */
    static void sdpa(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                     float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, int bk) {
        int nq = (lq + BQ - 1) / BQ;
        Parallel.forRange(heads * nq, 1, (t0, t1) -> {
            int d8 = (d + R - 1) / R * R;
            float[] qt = new float[d * BQ], ot = new float[d8 * BQ], st = new float[(bk + R - 1) / R * R * BQ];
            float[] m = new float[BQ], l = new float[BQ], corr = new float[BQ];
            for (int t = t0; t < t1; t++) {
                int h = t / nq, i0 = t % nq * BQ, rows = Math.min(BQ, lq - i0);
                for (int c = 0; c < d; c++) {
                    int src = qOff + i0 * ldq + h * d + c, dst = c * BQ;
                    for (int x = 0; x < rows; x++) qt[dst + x] = q[src + x * ldq] * scale;
                    if (rows < BQ) java.util.Arrays.fill(qt, dst + rows, dst + BQ, 0f);
                }
                java.util.Arrays.fill(ot, 0f);
                java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
                java.util.Arrays.fill(l, 0f);
                for (int j0 = 0; j0 < lk; j0 += bk) {
                    int nk = Math.min(bk, lk - j0);
                    qk(qt, d, k, kOff + j0 * ldk + h * d, ldk, nk, st);
                    softmax(st, nk, m, l, corr);
                    pv(st, nk, v, vOff + j0 * ldv + h * d, ldv, d, corr, ot);
                }
                for (int x = 0; x < rows; x++) {
                    float inv = 1f / l[x];
                    int dst = oOff + (i0 + x) * ldo + h * d;
                    for (int c = 0; c < d; c++) o[dst + c] = ot[c * BQ + x] * inv;
                }
            }
        });
    }

    /**
     * st[j*BQ + x] = sum_{c < d} k[k0 + j*ldk + c] * qt[c*BQ + x] for j < nk, x < BQ: blocks of 8 keys x 3 vectors;
     * the last block repeats key nk-1 in its missing rows (st has room for nk rounded up to 8), so one code path
     * serves every nk.
     */
    static void qk(float[] qt, int d, float[] k, int k0, int ldk, int nk, float[] st) {
        for (int j = 0; j < nk; j += R) {
            int b0 = k0 + Math.min(j + 0, nk - 1) * ldk, b1 = k0 + Math.min(j + 1, nk - 1) * ldk, b2 = k0 + Math.min(j + 2, nk - 1) * ldk, b3 = k0 + Math.min(j + 3, nk - 1) * ldk, b4 = k0 + Math.min(j + 4, nk - 1) * ldk, b5 = k0 + Math.min(j + 5, nk - 1) * ldk, b6 = k0 + Math.min(j + 6, nk - 1) * ldk, b7 = k0 + Math.min(j + 7, nk - 1) * ldk;
            FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S);
            FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S);
            FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S);
            FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S);
            FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a42 = FloatVector.zero(S);
            FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a52 = FloatVector.zero(S);
            FloatVector a60 = FloatVector.zero(S), a61 = FloatVector.zero(S), a62 = FloatVector.zero(S);
            FloatVector a70 = FloatVector.zero(S), a71 = FloatVector.zero(S), a72 = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                int qb = c * BQ;
                FloatVector x0 = FloatVector.fromArray(S, qt, qb), x1 = FloatVector.fromArray(S, qt, qb + 1 * L), x2 = FloatVector.fromArray(S, qt, qb + 2 * L);
                FloatVector w0 = FloatVector.broadcast(S, k[b0 + c]);
                a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01); a02 = w0.fma(x2, a02);
                FloatVector w1 = FloatVector.broadcast(S, k[b1 + c]);
                a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11); a12 = w1.fma(x2, a12);
                FloatVector w2 = FloatVector.broadcast(S, k[b2 + c]);
                a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21); a22 = w2.fma(x2, a22);
                FloatVector w3 = FloatVector.broadcast(S, k[b3 + c]);
                a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31); a32 = w3.fma(x2, a32);
                FloatVector w4 = FloatVector.broadcast(S, k[b4 + c]);
                a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41); a42 = w4.fma(x2, a42);
                FloatVector w5 = FloatVector.broadcast(S, k[b5 + c]);
                a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51); a52 = w5.fma(x2, a52);
                FloatVector w6 = FloatVector.broadcast(S, k[b6 + c]);
                a60 = w6.fma(x0, a60); a61 = w6.fma(x1, a61); a62 = w6.fma(x2, a62);
                FloatVector w7 = FloatVector.broadcast(S, k[b7 + c]);
                a70 = w7.fma(x0, a70); a71 = w7.fma(x1, a71); a72 = w7.fma(x2, a72);
            }
            int s0 = (j + 0) * BQ;
            a00.intoArray(st, s0); a01.intoArray(st, s0 + 1 * L); a02.intoArray(st, s0 + 2 * L);
            int s1 = (j + 1) * BQ;
            a10.intoArray(st, s1); a11.intoArray(st, s1 + 1 * L); a12.intoArray(st, s1 + 2 * L);
            int s2 = (j + 2) * BQ;
            a20.intoArray(st, s2); a21.intoArray(st, s2 + 1 * L); a22.intoArray(st, s2 + 2 * L);
            int s3 = (j + 3) * BQ;
            a30.intoArray(st, s3); a31.intoArray(st, s3 + 1 * L); a32.intoArray(st, s3 + 2 * L);
            int s4 = (j + 4) * BQ;
            a40.intoArray(st, s4); a41.intoArray(st, s4 + 1 * L); a42.intoArray(st, s4 + 2 * L);
            int s5 = (j + 5) * BQ;
            a50.intoArray(st, s5); a51.intoArray(st, s5 + 1 * L); a52.intoArray(st, s5 + 2 * L);
            int s6 = (j + 6) * BQ;
            a60.intoArray(st, s6); a61.intoArray(st, s6 + 1 * L); a62.intoArray(st, s6 + 2 * L);
            int s7 = (j + 7) * BQ;
            a70.intoArray(st, s7); a71.intoArray(st, s7 + 1 * L); a72.intoArray(st, s7 + 2 * L);
        }
    }

    /**
     * The online softmax of one key tile, lane-wise over the BQ queries: with running max m and sum l,
     * {@code m' = max(m, max_{j < nk} st[j])}, {@code st[j] = exp(st[j] - m')}, {@code corr = exp(m - m')},
     * {@code l = l corr + sum_j st[j]}, {@code m = m'} (scores finite, so m' is finite; m = -inf gives corr = 0).
     */
    static void softmax(float[] st, int nk, float[] m, float[] l, float[] corr) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                one = FloatVector.broadcast(S, 1f);
        for (int x = 0; x < BQ; x += L) {
            FloatVector mx = FloatVector.fromArray(S, st, x);
            for (int j = 1; j < nk; j++) {
                FloatVector y = FloatVector.fromArray(S, st, j * BQ + x);
                mx = mx.blend(y, y.compare(VectorOperators.GT, mx));
            }
            FloatVector mOld = FloatVector.fromArray(S, m, x);
            FloatVector mNew = mOld.blend(mx, mx.compare(VectorOperators.GT, mOld));
            {   // corr = exp(m - m')
                FloatVector x0 = mOld.sub(mNew);
                VectorMask<Float> under = x0.lt(lo);
                FloatVector xc = x0.blend(lo, under);
                xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
                FloatVector t = xc.fma(log2e, rnd);
                FloatVector kk = t.sub(rnd);
                FloatVector r = kk.fma(nln2lo, kk.fma(nln2hi, xc));
                FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
                FloatVector sc = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector y = p.mul(sc).blend(0f, under);
                y.intoArray(corr, x);
            }
            FloatVector sum = FloatVector.zero(S);
            for (int j = 0; j < nk; j++) {
                FloatVector x0 = FloatVector.fromArray(S, st, j * BQ + x).sub(mNew);
                VectorMask<Float> under = x0.lt(lo);
                FloatVector xc = x0.blend(lo, under);
                xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
                FloatVector t = xc.fma(log2e, rnd);
                FloatVector kk = t.sub(rnd);
                FloatVector r = kk.fma(nln2lo, kk.fma(nln2hi, xc));
                FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
                FloatVector sc = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector y = p.mul(sc).blend(0f, under);
                y.intoArray(st, j * BQ + x);
                sum = sum.add(y);
            }
            FloatVector.fromArray(S, l, x).fma(FloatVector.fromArray(S, corr, x), sum).intoArray(l, x);
            mNew.intoArray(m, x);
        }
    }

    /**
     * ot[c*BQ + x] = corr[x] ot[c*BQ + x] + sum_{j < nk} v[v0 + j*ldv + c] st[j*BQ + x] for c < d, x < BQ: blocks
     * of 8 channels x 3 vectors; the last block repeats channel d-1 in its missing rows (ot has room for d rounded
     * up to 8), so one code path serves every d.
     */
    static void pv(float[] st, int nk, float[] v, int v0, int ldv, int d, float[] corr, float[] ot) {
        for (int c = 0; c < d; c += R) {
            int c0 = Math.min(c + 0, d - 1), c1 = Math.min(c + 1, d - 1), c2 = Math.min(c + 2, d - 1), c3 = Math.min(c + 3, d - 1), c4 = Math.min(c + 4, d - 1), c5 = Math.min(c + 5, d - 1), c6 = Math.min(c + 6, d - 1), c7 = Math.min(c + 7, d - 1);
            FloatVector cr0 = FloatVector.fromArray(S, corr, 0 * L), cr1 = FloatVector.fromArray(S, corr, 1 * L), cr2 = FloatVector.fromArray(S, corr, 2 * L);
            int o0 = (c + 0) * BQ;
            FloatVector a00 = FloatVector.fromArray(S, ot, o0).mul(cr0), a01 = FloatVector.fromArray(S, ot, o0 + 1 * L).mul(cr1), a02 = FloatVector.fromArray(S, ot, o0 + 2 * L).mul(cr2);
            int o1 = (c + 1) * BQ;
            FloatVector a10 = FloatVector.fromArray(S, ot, o1).mul(cr0), a11 = FloatVector.fromArray(S, ot, o1 + 1 * L).mul(cr1), a12 = FloatVector.fromArray(S, ot, o1 + 2 * L).mul(cr2);
            int o2 = (c + 2) * BQ;
            FloatVector a20 = FloatVector.fromArray(S, ot, o2).mul(cr0), a21 = FloatVector.fromArray(S, ot, o2 + 1 * L).mul(cr1), a22 = FloatVector.fromArray(S, ot, o2 + 2 * L).mul(cr2);
            int o3 = (c + 3) * BQ;
            FloatVector a30 = FloatVector.fromArray(S, ot, o3).mul(cr0), a31 = FloatVector.fromArray(S, ot, o3 + 1 * L).mul(cr1), a32 = FloatVector.fromArray(S, ot, o3 + 2 * L).mul(cr2);
            int o4 = (c + 4) * BQ;
            FloatVector a40 = FloatVector.fromArray(S, ot, o4).mul(cr0), a41 = FloatVector.fromArray(S, ot, o4 + 1 * L).mul(cr1), a42 = FloatVector.fromArray(S, ot, o4 + 2 * L).mul(cr2);
            int o5 = (c + 5) * BQ;
            FloatVector a50 = FloatVector.fromArray(S, ot, o5).mul(cr0), a51 = FloatVector.fromArray(S, ot, o5 + 1 * L).mul(cr1), a52 = FloatVector.fromArray(S, ot, o5 + 2 * L).mul(cr2);
            int o6 = (c + 6) * BQ;
            FloatVector a60 = FloatVector.fromArray(S, ot, o6).mul(cr0), a61 = FloatVector.fromArray(S, ot, o6 + 1 * L).mul(cr1), a62 = FloatVector.fromArray(S, ot, o6 + 2 * L).mul(cr2);
            int o7 = (c + 7) * BQ;
            FloatVector a70 = FloatVector.fromArray(S, ot, o7).mul(cr0), a71 = FloatVector.fromArray(S, ot, o7 + 1 * L).mul(cr1), a72 = FloatVector.fromArray(S, ot, o7 + 2 * L).mul(cr2);
            for (int j = 0; j < nk; j++) {
                int pb = j * BQ, vb = v0 + j * ldv;
                FloatVector p0 = FloatVector.fromArray(S, st, pb), p1 = FloatVector.fromArray(S, st, pb + 1 * L), p2 = FloatVector.fromArray(S, st, pb + 2 * L);
                FloatVector w0 = FloatVector.broadcast(S, v[vb + c0]);
                a00 = w0.fma(p0, a00); a01 = w0.fma(p1, a01); a02 = w0.fma(p2, a02);
                FloatVector w1 = FloatVector.broadcast(S, v[vb + c1]);
                a10 = w1.fma(p0, a10); a11 = w1.fma(p1, a11); a12 = w1.fma(p2, a12);
                FloatVector w2 = FloatVector.broadcast(S, v[vb + c2]);
                a20 = w2.fma(p0, a20); a21 = w2.fma(p1, a21); a22 = w2.fma(p2, a22);
                FloatVector w3 = FloatVector.broadcast(S, v[vb + c3]);
                a30 = w3.fma(p0, a30); a31 = w3.fma(p1, a31); a32 = w3.fma(p2, a32);
                FloatVector w4 = FloatVector.broadcast(S, v[vb + c4]);
                a40 = w4.fma(p0, a40); a41 = w4.fma(p1, a41); a42 = w4.fma(p2, a42);
                FloatVector w5 = FloatVector.broadcast(S, v[vb + c5]);
                a50 = w5.fma(p0, a50); a51 = w5.fma(p1, a51); a52 = w5.fma(p2, a52);
                FloatVector w6 = FloatVector.broadcast(S, v[vb + c6]);
                a60 = w6.fma(p0, a60); a61 = w6.fma(p1, a61); a62 = w6.fma(p2, a62);
                FloatVector w7 = FloatVector.broadcast(S, v[vb + c7]);
                a70 = w7.fma(p0, a70); a71 = w7.fma(p1, a71); a72 = w7.fma(p2, a72);
            }
            a00.intoArray(ot, o0); a01.intoArray(ot, o0 + 1 * L); a02.intoArray(ot, o0 + 2 * L);
            a10.intoArray(ot, o1); a11.intoArray(ot, o1 + 1 * L); a12.intoArray(ot, o1 + 2 * L);
            a20.intoArray(ot, o2); a21.intoArray(ot, o2 + 1 * L); a22.intoArray(ot, o2 + 2 * L);
            a30.intoArray(ot, o3); a31.intoArray(ot, o3 + 1 * L); a32.intoArray(ot, o3 + 2 * L);
            a40.intoArray(ot, o4); a41.intoArray(ot, o4 + 1 * L); a42.intoArray(ot, o4 + 2 * L);
            a50.intoArray(ot, o5); a51.intoArray(ot, o5 + 1 * L); a52.intoArray(ot, o5 + 2 * L);
            a60.intoArray(ot, o6); a61.intoArray(ot, o6 + 1 * L); a62.intoArray(ot, o6 + 2 * L);
            a70.intoArray(ot, o7); a71.intoArray(ot, o7 + 1 * L); a72.intoArray(ot, o7 + 2 * L);
        }
    }
}
