package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Y[M,N] = X[M,K] * W^T + bias} with W a {@link WeightMatrix} [N,K] of any stored type, dequantized inside
 * the kernel. Loaded only when {@link Simd#available()}.
 *
 * <p>Few rows (M up to {@link #SMALL_M}, e.g. one decoder token or a beam): W is streamed once, split over the pool
 * along N, four rows at a time; each chunk of those rows is decoded into a small buffer (read in place for heap F32)
 * and dotted with the M rows of X. More rows: the packed GEMM of {@link GemmVector} with op(B) = W^T, whose B panels
 * (KC x NR) are decoded from W as they are packed, never the whole weight.
 */
final class LinearVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Largest M served by the streaming path. */
    static final int SMALL_M = Integer.getInteger("synesthesia.linear.smallM", 16);
    /** Columns of W decoded at a time on the streaming path. */
    static final int CHUNK = 2048;
    /** Smallest number of W elements worth a task of its own on the streaming path. */
    private static final int GRAIN_ELEMENTS = 1 << 15;

    private LinearVector() {}

    static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy) {
        linear(x, xOff, ldx, M, w, bias, y, yOff, ldy, GemmVector.BLOCKING, SMALL_M);
    }

    /** As above with explicit blocking and streaming threshold (tests). */
    static void linear(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias, float[] y, int yOff, int ldy,
                       GemmVector.Blocking bl, int smallM) {
        int N = w.rows(), K = w.cols();
        if (M <= 0 || N <= 0) return;
        if (K == 0) {
            for (int m = 0; m < M; m++)
                for (int n = 0; n < N; n++) y[yOff + m * ldy + n] = bias == null ? 0f : bias[n];
            return;
        }
        if (M <= smallM) {
            int grain = Math.max(1, GRAIN_ELEMENTS / K);
            if (M == 1 && FusedGemv.handles(w))
                Parallel.forRange(N, grain, (n0, n1) -> FusedGemv.rows(x, xOff, w, bias, y, yOff, n0, n1));
            else
                Parallel.forRange(N, grain, (n0, n1) -> streamRows(x, xOff, ldx, M, w, bias, y, yOff, ldy, n0, n1));
            return;
        }
        GemmVector.PackB pb = w.heap() != null ? new GemmVector.TransposedB(w.heap(), 0, K) : new WeightB(w);
        int cost = w.heap() != null ? 1 : w.format().decodeCost();
        GemmVector.run(false, M, N, K, 1f, x, xOff, ldx, pb, cost, 0f, y, yOff, ldy, bias, bl);
    }

    /**
     * {@code y[m, n] = dot(x[m, :], W[n, :]) + bias[n]} for m < M, n in [n0, n1): four rows of W at a time, each
     * chunk of them decoded once (read in place for heap F32) and dotted with every row of x, one load of x per
     * four FMAs.
     */
    private static void streamRows(float[] x, int xOff, int ldx, int M, WeightMatrix w, float[] bias,
                                   float[] y, int yOff, int ldy, int n0, int n1) {
        int K = w.cols();
        float[] acc = new float[4 * M];
        float[] heap = w.heap();
        int chunk = Math.min(K, CHUNK);
        GemmVector.Scratch s = GemmVector.scratch();
        float[] buf = s.row(4 * chunk);
        float[] tmp = s.tile;
        boolean laneF16 = w.dtype() == org.synesthesia.tensor.DType.F16 && FusedGemv.handles(w);
        for (int n = n0; n < n1; n += 4) {
            int rows = Math.min(4, n1 - n);
            java.util.Arrays.fill(acc, 0f);
            for (int k0 = 0; k0 < K; k0 += chunk) {
                int len = Math.min(chunk, K - k0);
                float[] src;
                int r0, r1, r2, r3;
                if (heap != null) {
                    src = heap;
                    r0 = n * K + k0;
                    r1 = rows > 1 ? r0 + K : r0;
                    r2 = rows > 2 ? r0 + 2 * K : r0;
                    r3 = rows > 3 ? r0 + 3 * K : r0;
                } else {
                    src = buf;
                    if (laneF16)
                        for (int r = 0; r < rows; r++) FusedGemv.decodeF16(w.data(), 2L * ((long) (n + r) * K + k0), len, buf, r * chunk);
                    else
                        for (int r = 0; r < rows; r++) w.decodePanel(n + r, k0, len, buf, r * chunk, tmp);
                    r0 = 0;
                    r1 = rows > 1 ? chunk : 0;
                    r2 = rows > 2 ? 2 * chunk : 0;
                    r3 = rows > 3 ? 3 * chunk : 0;
                }
                for (int m = 0; m < M; m++) dot4(x, xOff + m * ldx + k0, src, r0, r1, r2, r3, len, acc, 4 * m);
            }
            for (int m = 0; m < M; m++)
                for (int r = 0; r < rows; r++) y[yOff + m * ldy + n + r] = acc[4 * m + r] + (bias == null ? 0f : bias[n + r]);
        }
    }

    /** {@code acc[ao + j] += sum_i x[xo + i] * w[rj + i]} for i < n, j < 4 (rows r0..r3 of w). */
    static void dot4(float[] x, int xo, float[] w, int r0, int r1, int r2, int r3, int n, float[] acc, int ao) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        FloatVector t0 = FloatVector.zero(S), t1 = FloatVector.zero(S), t2 = FloatVector.zero(S), t3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i), b = FloatVector.fromArray(S, x, xo + i + L);
            s0 = a.fma(FloatVector.fromArray(S, w, r0 + i), s0);
            s1 = a.fma(FloatVector.fromArray(S, w, r1 + i), s1);
            s2 = a.fma(FloatVector.fromArray(S, w, r2 + i), s2);
            s3 = a.fma(FloatVector.fromArray(S, w, r3 + i), s3);
            t0 = b.fma(FloatVector.fromArray(S, w, r0 + i + L), t0);
            t1 = b.fma(FloatVector.fromArray(S, w, r1 + i + L), t1);
            t2 = b.fma(FloatVector.fromArray(S, w, r2 + i + L), t2);
            t3 = b.fma(FloatVector.fromArray(S, w, r3 + i + L), t3);
        }
        for (; i + L <= n; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + i);
            s0 = a.fma(FloatVector.fromArray(S, w, r0 + i), s0);
            s1 = a.fma(FloatVector.fromArray(S, w, r1 + i), s1);
            s2 = a.fma(FloatVector.fromArray(S, w, r2 + i), s2);
            s3 = a.fma(FloatVector.fromArray(S, w, r3 + i), s3);
        }
        float d0 = Lanes.sum(s0.add(t0)), d1 = Lanes.sum(s1.add(t1));
        float d2 = Lanes.sum(s2.add(t2)), d3 = Lanes.sum(s3.add(t3));
        for (; i < n; i++) {
            float xi = x[xo + i];
            d0 += xi * w[r0 + i];
            d1 += xi * w[r1 + i];
            d2 += xi * w[r2 + i];
            d3 += xi * w[r3 + i];
        }
        acc[ao] += d0;
        acc[ao + 1] += d1;
        acc[ao + 2] += d2;
        acc[ao + 3] += d3;
    }

    /** op(B) = W^T decoded from a stored weight while packing: element (k, n) = W[n, k]. */
    record WeightB(WeightMatrix w) implements GemmVector.PackB {
        @Override
        public void pack(int k0, int kc, int n0, int nc, float[] dst, GemmVector.Scratch s) {
            float[] row = s.row(kc);
            float[] tmp = s.tile;
            int NR = GemmVector.NR;
            for (int jr = 0; jr < nc; jr += NR) {
                int wd = GemmVector.panelWidth(jr, nc);
                int cols = Math.min(wd, nc - jr);
                int d = jr * kc;
                for (int j = 0; j < cols; j++) {
                    w.decodePanel(n0 + jr + j, k0, kc, row, 0, tmp);
                    for (int k = 0; k < kc; k++) dst[d + k * wd + j] = row[k];
                }
                for (int j = cols; j < wd; j++)
                    for (int k = 0; k < kc; k++) dst[d + k * wd + j] = 0f;
            }
        }
    }
}
