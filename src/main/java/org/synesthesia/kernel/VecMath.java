package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementary functions in float arithmetic applied in place to ranges of arrays: exp (with a shift and the sum of
 * the results, for softmax), erf, GELU through the normal CDF, and x*sigmoid(x*(c1 + c3*x^2)) (SiLU, QuickGELU,
 * tanh-GELU). Loaded only when {@link Simd#available()}.
 *
 * <p>Every {@code *Block} method takes {@code [from, to)} with {@code to - from} a multiple of {@link #L} and
 * keeps all its vector values inside its own loop body: no {@code FloatVector} crosses a method boundary, so the
 * code does not depend on the JIT inlining helper methods (a vector that escapes an un-inlined call is boxed,
 * which is ten times slower). {@link #tail} runs a block on the last partial vector through a padded copy.
 *
 * <p>Polynomial coefficients come from relative-error least-squares fits, iteratively reweighted towards minimax,
 * made by {@code tools/fit-vecmath.py}; the quoted errors are before float rounding.
 *
 * <p>exp(x) = 2^k e^r with x = k ln2 + r, |r| <= ln2/2 (k*ln2 subtracted in two parts, exactly), e^r a degree-6
 * polynomial (relative error 1.9e-9), 2^k built in the exponent bits; x is clamped to [-87.33, 88.3] and values
 * below -87.33 give 0 (so exp(-inf) = 0). Clamps and maxima are compare + blend: {@code FloatVector.max/min}
 * follow Math.max's NaN and -0 rules and cost several instructions each (twice the time of a whole softmax when
 * they form a dependency chain).
 */
final class VecMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VecMath() {}

    private static final float E2 = 0.49999991059303284f, E3 = 0.16666419804096222f, E4 = 0.04166821017861366f,
            E5 = 0.00837482139468193f, E6 = 0.0013837730512022972f;
    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2_HI = 0.693145751953125f;          // 16 significant bits: k*LN2_HI is exact
    private static final float LN2_LO = 1.4286068203094172e-06f;     // ln2 - LN2_HI
    private static final float ROUND = 12582912f;                    // 1.5 * 2^23: x + ROUND rounds x to an integer
    private static final int ROUND_BITS = 0x4B400000;                // bits of ROUND
    private static final float EXP_MIN = -87.33f, EXP_MAX = 88.3f;

    // erf(z) = z P(z^2) on |z| < 1: relative error 1.2e-9
    private static final float P0 = 1.1283791065216064f, P1 = -0.3761262595653534f, P2 = 0.1128358542919159f,
            P3 = -0.026853833347558975f, P4 = 0.005188368260860443f, P5 = -0.0008010549936443567f, P6 = 7.855035073589534e-05f;
    // erfc(a) = exp(-a^2) t Q(t), t = 1/(1 + a/2), on a >= 0.5: relative error 2.5e-9
    private static final float Q0 = 0.2820861041545868f, Q1 = 0.2823273241519928f, Q2 = 0.24416932463645935f,
            Q3 = 0.1933460384607315f, Q4 = 0.01738988235592842f, Q5 = 0.15479271113872528f, Q6 = -0.27574965357780457f,
            Q7 = 0.06657662987709045f, Q8 = 0.06496526300907135f, Q9 = -0.02993144281208515f;
    private static final float SQRT1_2 = 0.7071067811865476f;
    private static final float SQRT1_2_LO = 1.2101617485882343e-08f;   // 1/sqrt2 - SQRT1_2

    /** A block kernel over {@code x[from, to)}, {@code to - from} a multiple of {@link #L}. */
    @FunctionalInterface
    interface Block {
        void run(float[] x, int from, int to);
    }

    /**
     * Runs {@code block} over {@code x[from, to)} of any length: the whole vectors in place, the remainder through
     * a copy padded with {@code pad}.
     */
    static void apply(float[] x, int from, int to, float pad, Block block) {
        int full = from + (to - from) / L * L;
        if (full > from) block.run(x, from, full);
        if (full < to) tail(x, full, to, pad, block);
    }

    /** Runs {@code block} on {@code x[from, to)} (fewer than L values) through a copy padded with {@code pad}. */
    static void tail(float[] x, int from, int to, float pad, Block block) {
        float[] t = new float[L];
        java.util.Arrays.fill(t, to - from, L, pad);
        System.arraycopy(x, from, t, 0, to - from);
        block.run(t, 0, L);
        System.arraycopy(t, 0, x, from, to - from);
    }

    /** x = exp(x - shift) over the block; returns the sum of the new values (float lanes, reduced once). */
    static float expShiftBlock(float[] x, int from, int to, float shift) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                e5 = FloatVector.broadcast(S, E5), one = FloatVector.broadcast(S, 1f);
        FloatVector sum = FloatVector.zero(S);
        for (int i = from; i < to; i += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, i).sub(shift);
            // exp(x0)
            VectorMask<Float> under = x0.lt(lo);
            FloatVector xc = x0.blend(lo, under);
            xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
            FloatVector t = xc.fma(log2e, rnd);
            FloatVector k = t.sub(rnd);
            FloatVector r = k.fma(nln2lo, k.fma(nln2hi, xc));
            FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
            FloatVector scale = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector y = p.mul(scale).blend(0f, under);
            y.intoArray(x, i);
            sum = sum.add(y);
        }
        return Lanes.sum(sum);
    }

    /**
     * One key tile of the online softmax of attention, for rows r < {@code rows} of {@code s} (row r at
     * {@code r*lds}, {@code n} scores, a multiple of L; masked scores are -inf): with the row's running max m[r] and
     * sum l[r], {@code m' = max(m, max_j s)}, {@code s = exp(s - m')}, {@code corr[r] = exp(m - m')},
     * {@code l = l corr + sum_j s}, {@code m = m'}. A row with no visible key so far (m' = -inf) gets s = 0 and
     * corr = 1.
     */
    static void softmaxTile(float[] s, int lds, int rows, int n, float[] m, float[] l, float[] corr) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                one = FloatVector.broadcast(S, 1f), ninf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int o = r * lds;
            FloatVector mv = ninf;
            for (int i = 0; i < n; i += L) {
                FloatVector x = FloatVector.fromArray(S, s, o + i);
                mv = mv.blend(x, x.compare(VectorOperators.GT, mv));
            }
            float mOld = m[r];
            float mNew = Math.max(mOld, mv.reduceLanes(VectorOperators.MAX));
            if (mNew == Float.NEGATIVE_INFINITY) {
                java.util.Arrays.fill(s, o, o + n, 0f);
                corr[r] = 1f;
                continue;
            }
            FloatVector shift = FloatVector.broadcast(S, mNew);
            FloatVector sum = FloatVector.zero(S);
            for (int i = 0; i < n; i += L) {
                FloatVector x0 = FloatVector.fromArray(S, s, o + i).sub(shift);
                VectorMask<Float> under = x0.lt(lo);
                FloatVector xc = x0.blend(lo, under);
                xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
                FloatVector t = xc.fma(log2e, rnd);
                FloatVector k = t.sub(rnd);
                FloatVector rr = k.fma(nln2lo, k.fma(nln2hi, xc));
                FloatVector p = rr.fma(E6, E5).fma(rr, e4).fma(rr, e3).fma(rr, e2).fma(rr, one).fma(rr, one);
                FloatVector scale = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector y = p.mul(scale).blend(0f, under);
                y.intoArray(s, o + i);
                sum = sum.add(y);
            }
            float c = mOld == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(mOld - mNew);
            corr[r] = c;
            l[r] = l[r] * c + Lanes.sum(sum);
            m[r] = mNew;
        }
    }

    /** x = x * sigmoid(x * (c1 + c3 x^2)) = x / (1 + exp(-x (c1 + c3 x^2))) over the block. */
    static void xSigmoidBlock(float[] x, int from, int to, float c1, float c3) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                one = FloatVector.broadcast(S, 1f);
        for (int i = from; i < to; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector x0 = v.mul(v).fma(-c3, -c1).mul(v);      // -x (c1 + c3 x^2)
            // exp(x0)
            VectorMask<Float> under = x0.lt(lo);
            FloatVector xc = x0.blend(lo, under);
            xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
            FloatVector t = xc.fma(log2e, rnd);
            FloatVector k = t.sub(rnd);
            FloatVector r = k.fma(nln2lo, k.fma(nln2hi, xc));
            FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
            FloatVector scale = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = p.mul(scale).blend(0f, under);
            v.div(ex.add(one)).intoArray(x, i);
        }
    }

    /**
     * x = x * Phi(x) (exact GELU) over the block. Phi(x) = erfc(-z)/2 with z = x/sqrt2 = zh + zl (zl the rounding
     * error of zh, from one fma): for |z| < 0.5 from erf(z) = z P(z^2); else from erfc(|z|) = exp(-z^2) t Q(t) with
     * exp(-z^2) = exp(-a2) (1 - e), a2 = fl(zh*zh), e = (zh*zh - a2) + 2 zh zl, so both tails keep their relative
     * accuracy: about 3.4e-7 relative over the whole float range where |GELU| > 1e-35.
     */
    static void geluBlock(float[] x, int from, int to) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                one = FloatVector.broadcast(S, 1f), half = FloatVector.broadcast(S, 0.5f), c = FloatVector.broadcast(S, SQRT1_2);
        FloatVector p1 = FloatVector.broadcast(S, P1), p2 = FloatVector.broadcast(S, P2), p3 = FloatVector.broadcast(S, P3),
                p4 = FloatVector.broadcast(S, P4);
        FloatVector q0 = FloatVector.broadcast(S, Q0), q1 = FloatVector.broadcast(S, Q1), q2 = FloatVector.broadcast(S, Q2),
                q3 = FloatVector.broadcast(S, Q3), q4 = FloatVector.broadcast(S, Q4), q5 = FloatVector.broadcast(S, Q5),
                q6 = FloatVector.broadcast(S, Q6), q7 = FloatVector.broadcast(S, Q7);
        for (int i = from; i < to; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector z = v.mul(c);
            FloatVector a = z.abs();
            VectorMask<Float> small = a.lt(0.5f);
            // erf(z) = z P(z^2), leading term rounded once
            FloatVector u = z.mul(z);
            FloatVector pp = u.fma(P6, P5).fma(u, p4).fma(u, p3).fma(u, p2).fma(u, p1);
            FloatVector phiSmall = z.mul(u).fma(pp, z.mul(P0)).fma(half, half);
            if (small.allTrue()) {
                v.mul(phiSmall).intoArray(x, i);
            } else {
                FloatVector zl = v.fma(c, z.neg()).add(v.mul(SQRT1_2_LO));   // x/sqrt2 - z
                // erfc(a), a clamped to 10 where erfc is below float's range
                FloatVector ac = a.blend(10f, a.compare(VectorOperators.GT, 10f));
                FloatVector t = one.div(ac.fma(half, one));
                FloatVector qq = t.fma(Q9, Q8).fma(t, q7).fma(t, q6).fma(t, q5).fma(t, q4).fma(t, q3).fma(t, q2).fma(t, q1).fma(t, q0);
                FloatVector a2 = ac.mul(ac);
                FloatVector err = ac.fma(ac, a2.neg()).add(z.mul(zl).mul(2f));
                // exp(-a2)
                FloatVector x0 = a2.neg();
                VectorMask<Float> under = x0.lt(lo);
                FloatVector xc = x0.blend(lo, under);
                xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
                FloatVector tt = xc.fma(log2e, rnd);
                FloatVector k = tt.sub(rnd);
                FloatVector r = k.fma(nln2lo, k.fma(nln2hi, xc));
                FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
                FloatVector scale = tt.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector ex = p.mul(scale).blend(0f, under);
                ex = ex.sub(ex.mul(err));
                FloatVector half_erfc = t.mul(qq).mul(ex).mul(0.5f);
                FloatVector phiBig = half_erfc.blend(one.sub(half_erfc), z.compare(VectorOperators.GT, 0f));
                v.mul(phiBig.blend(phiSmall, small)).intoArray(x, i);
            }
        }
    }

    /**
     * x = erf(x) over the block: z P(z^2) for |x| < 1, else sign(x) (1 - erfc(|x|)) with erfc as in
     * {@link #geluBlock}; relative error about 1.3e-7.
     */
    static void erfBlock(float[] x, int from, int to) {
        FloatVector lo = FloatVector.broadcast(S, EXP_MIN), hi = FloatVector.broadcast(S, EXP_MAX);
        FloatVector rnd = FloatVector.broadcast(S, ROUND), log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector nln2hi = FloatVector.broadcast(S, -LN2_HI), nln2lo = FloatVector.broadcast(S, -LN2_LO);
        FloatVector e2 = FloatVector.broadcast(S, E2), e3 = FloatVector.broadcast(S, E3), e4 = FloatVector.broadcast(S, E4),
                one = FloatVector.broadcast(S, 1f), half = FloatVector.broadcast(S, 0.5f);
        FloatVector p1 = FloatVector.broadcast(S, P1), p2 = FloatVector.broadcast(S, P2), p3 = FloatVector.broadcast(S, P3),
                p4 = FloatVector.broadcast(S, P4);
        FloatVector q0 = FloatVector.broadcast(S, Q0), q1 = FloatVector.broadcast(S, Q1), q2 = FloatVector.broadcast(S, Q2),
                q3 = FloatVector.broadcast(S, Q3), q4 = FloatVector.broadcast(S, Q4), q5 = FloatVector.broadcast(S, Q5),
                q6 = FloatVector.broadcast(S, Q6), q7 = FloatVector.broadcast(S, Q7);
        for (int i = from; i < to; i += L) {
            FloatVector z = FloatVector.fromArray(S, x, i);
            FloatVector a = z.abs();
            VectorMask<Float> small = a.lt(1f);
            // erf(z) = z P(z^2), leading term rounded once
            FloatVector u = z.mul(z);
            FloatVector pp = u.fma(P6, P5).fma(u, p4).fma(u, p3).fma(u, p2).fma(u, p1);
            FloatVector erfSmall = z.mul(u).fma(pp, z.mul(P0));
            if (small.allTrue()) {
                erfSmall.intoArray(x, i);
            } else {
                // erfc(a), a clamped to 10 where erfc is below float's range
                FloatVector ac = a.blend(10f, a.compare(VectorOperators.GT, 10f));
                FloatVector t = one.div(ac.fma(half, one));
                FloatVector qq = t.fma(Q9, Q8).fma(t, q7).fma(t, q6).fma(t, q5).fma(t, q4).fma(t, q3).fma(t, q2).fma(t, q1).fma(t, q0);
                FloatVector a2 = ac.mul(ac);
                FloatVector err = ac.fma(ac, a2.neg());
                // exp(-a2)
                FloatVector x0 = a2.neg();
                VectorMask<Float> under = x0.lt(lo);
                FloatVector xc = x0.blend(lo, under);
                xc = xc.blend(hi, xc.compare(VectorOperators.GT, hi));
                FloatVector tt = xc.fma(log2e, rnd);
                FloatVector k = tt.sub(rnd);
                FloatVector r = k.fma(nln2lo, k.fma(nln2hi, xc));
                FloatVector p = r.fma(E6, E5).fma(r, e4).fma(r, e3).fma(r, e2).fma(r, one).fma(r, one);
                FloatVector scale = tt.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector ex = p.mul(scale).blend(0f, under);
                ex = ex.sub(ex.mul(err));
                FloatVector erfc = t.mul(qq).mul(ex);
                FloatVector big = one.sub(erfc);
                big.blend(big.neg(), z.lt(0f)).blend(erfSmall, small).intoArray(x, i);
            }
        }
    }
}
