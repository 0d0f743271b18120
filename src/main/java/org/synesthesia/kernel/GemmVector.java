package org.synesthesia.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API GEMM: {@code C[M,N] = op(A)[M,K] * op(B)[K,N] (* alpha) + beta * C}, row-major, packed and
 * cache-blocked (Goto/BLIS scheme). Loaded only when {@link Simd#available()}.
 *
 * <p>Loops, outermost first: column blocks of NC (jc), depth blocks of KC (pc: B[pc:pc+KC, jc:jc+NC] packed into
 * NR-column micro-panels), row blocks of MC (ic: alpha * A[ic:ic+MC, pc:pc+KC] packed into MR-row micro-panels),
 * then NR-column micro-panels (jr; one B micro-panel stays in L1) and MR-row micro-panels (ir; the A block stays in
 * L2), each an MR x NR tile computed by a {@link GemmMicroKernels} kernel and added into C. Transposed operands
 * are handled while packing. Edge panels are zero-padded to a whole tile so that the one hot kernel serves them
 * (only the valid part of a tile is added into C); products with fewer than MR rows or NR columns use the kernel
 * of their size. Any M, N, K works.
 * Threads take contiguous ranges of whole tiles along M or N (whichever costs less repacking) and run
 * independent blocked products on disjoint parts of C.
 */
final class GemmVector {
    private static final VectorSpecies<Float> S = GemmMicroKernels.S;
    static final int L = GemmMicroKernels.L;
    /** Rows of the register tile. */
    static final int MR;
    /** Vectors per row of the register tile; NR = NV * L columns. */
    static final int NV;
    static final int NR;
    /** Block sizes of this machine (see {@link Blocking}). */
    static final Blocking BLOCKING;

    static {
        // The register tile per register file comes from the generator (GemmMicroKernels.TILE_*: MR*NV accumulators,
        // NV vectors of B and, where broadcasts do not fold into the FMA, MR broadcasts of A within the file).
        int[] tile = L >= 16 ? GemmMicroKernels.TILE_AVX512
                : "aarch64".equals(System.getProperty("os.arch")) ? GemmMicroKernels.TILE_NEON : GemmMicroKernels.TILE_AVX2;
        int mr = tile[0], nv = tile[1];
        mr = Integer.getInteger("synesthesia.gemm.mr", mr);
        nv = Integer.getInteger("synesthesia.gemm.nv", nv);
        if (mr < 1 || mr > GemmMicroKernels.MAX_MR || nv < 1 || nv > GemmMicroKernels.MAX_NV)
            throw new IllegalArgumentException("synesthesia.gemm.mr/nv out of range: " + mr + "x" + nv);
        MR = mr;
        NV = nv;
        NR = nv * L;
        BLOCKING = new Blocking(Integer.getInteger("synesthesia.gemm.kc", 256),
                Integer.getInteger("synesthesia.gemm.mc", 192), Integer.getInteger("synesthesia.gemm.nc", 4096), 2_000_000,
                Integer.getInteger("synesthesia.gemm.directPanels", 8));
    }

    /**
     * Cache blocking: {@code kc} depth of a packed block (B micro-panel kc x NR in L1), {@code mc} rows of a packed A
     * block (kc x mc in L2; rounded down to a multiple of MR), {@code nc} columns of a packed B block (rounded down
     * to a multiple of NR), {@code taskFlops} the least work (flops) given to a thread of its own,
     * {@code directPanels}: a block of at most this many B micro-panels reads a row-major A in place instead of
     * packing it (each A panel would serve only that many kernel calls, too few to repay the copy; 0: always pack).
     */
    record Blocking(int kc, int mc, int nc, long taskFlops, int directPanels) {
        Blocking {
            if (kc < 1) throw new IllegalArgumentException("kc must be positive");
            if (directPanels < 0) throw new IllegalArgumentException("directPanels must be >= 0");
            mc = Math.max(MR, mc / MR * MR);
            nc = Math.max(NR, nc / NR * NR);
        }
    }

    private GemmVector() {}

    /** op(B) as a source of packed panels. */
    interface PackB {
        /**
         * Writes op(B)[k0:k0+kc, n0:n0+nc] as micro-panels: the panel of columns {@code [n0+jr, n0+jr+w)}
         * ({@code jr} a multiple of NR, {@code w = panelWidth(jr, nc)}) starts at {@code dst[jr*kc]} with element
         * (k, j) at {@code dst[jr*kc + k*w + j]}; columns past nc are zero.
         */
        void pack(int k0, int kc, int n0, int nc, float[] dst, Scratch s);
    }

    /** Per-thread packing buffers, grown on demand. */
    static final class Scratch {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[GemmMicroKernels.MAX_MR * GemmMicroKernels.MAX_NV * L];
        float[] row = new float[0];

        float[] row(int n) {
            if (row.length < n) row = new float[n];
            return row;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * Width of the micro-panel of B that starts at column {@code jr} of a block of {@code nc} columns: NR, the last
     * one zero-padded, so that one hot kernel serves the edges too; a block narrower than NR uses fewer vectors.
     */
    static int panelWidth(int jr, int nc) {
        return nc >= NR ? NR : (nc + L - 1) / L * L;
    }

    /**
     * Rows of the A micro-panels of a thread's share of {@code rows} rows: MR (edge panels zero-padded, so that one
     * hot kernel serves them), or all the rows when fewer.
     */
    static int panelHeight(int rows) {
        return Math.min(MR, rows);
    }

    static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                      float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                      float beta, float[] C, int cOff, int ldc) {
        sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, BLOCKING);
    }

    static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                      float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                      float beta, float[] C, int cOff, int ldc, Blocking bl) {
        if (M <= 0 || N <= 0) return;
        if (K <= 0 || alpha == 0) {
            scale(M, N, beta, C, cOff, ldc);
            return;
        }
        if (M == 1) {
            Gemv.sgemv(transA, transB, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff);
            return;
        }
        PackB pb = transB ? new TransposedB(B, bOff, ldb) : new RowMajorB(B, bOff, ldb);
        run(transA, M, N, K, alpha, A, aOff, lda, pb, 1, beta, C, cOff, ldc, null, bl);
    }

    /**
     * The blocked product over the pool. {@code bCost} weighs packing one element of B against one of A when
     * choosing how to split (decoding a quantized weight costs more than copying floats). {@code bias}, if not
     * null, is added to every row of C at the end (C = A*B + bias needs beta = 0).
     */
    static void run(boolean transA, int M, int N, int K, float alpha, float[] A, int aOff, int lda, PackB pb, int bCost,
                    float beta, float[] C, int cOff, int ldc, float[] bias, Blocking bl) {
        int T = Parallel.threads();
        int mTiles = (M + MR - 1) / MR, nTiles = (N + NR - 1) / NR;
        // Per-thread packing work: splitting M repacks all of B in each thread, splitting N all of A.
        long costSplitM = (long) bCost * N + (long) M / T;
        long costSplitN = (long) bCost * N / T + M;
        boolean splitM;
        if (mTiles < T && nTiles >= T) splitM = false;
        else if (nTiles < T && mTiles >= T) splitM = true;
        else splitM = costSplitM <= costSplitN;
        int tiles = splitM ? mTiles : nTiles;
        long flopsPerTile = 2L * (splitM ? (long) MR * N : (long) NR * M) * K;
        int grain = (int) Math.max(1, Math.min(tiles, bl.taskFlops() / Math.max(1, flopsPerTile)));
        Parallel.forRange(tiles, grain, (t0, t1) -> {
            if (splitM) {
                int m0 = t0 * MR, m1 = Math.min(M, t1 * MR);
                blocked(transA, m0, m1, 0, N, K, alpha, A, aOff, lda, pb, beta, C, cOff, ldc, bias, bl);
            } else {
                int n0 = t0 * NR, n1 = Math.min(N, t1 * NR);
                blocked(transA, 0, M, n0, n1, K, alpha, A, aOff, lda, pb, beta, C, cOff, ldc, bias, bl);
            }
        });
    }

    /** C[m0:m1, n0:n1] on the calling thread. */
    private static void blocked(boolean transA, int m0, int m1, int n0, int n1, int K, float alpha,
                                float[] A, int aOff, int lda, PackB pb, float beta, float[] C, int cOff, int ldc, float[] bias,
                                Blocking bl) {
        final int KC = bl.kc(), MC = bl.mc(), NC = bl.nc();
        Scratch s = SCRATCH.get();
        int ncMax = Math.min(NC, (n1 - n0 + NR - 1) / NR * NR);
        int kcMax = Math.min(KC, K);
        int mcMax = Math.min(MC, (m1 - m0 + MR - 1) / MR * MR);
        if (s.b.length < ncMax * kcMax) s.b = new float[ncMax * kcMax];
        if (s.a.length < mcMax * kcMax) s.a = new float[mcMax * kcMax];
        float[] ap = s.a, bp = s.b, t = s.tile;
        int h = panelHeight(m1 - m0);
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc);
                pb.pack(pc, kc, jc, nc, bp, s);
                float bet = pc == 0 ? beta : 1f;
                boolean last = pc + kc >= K;
                // A read in place when this block has few B micro-panels (A row-major and unscaled)
                boolean direct = !transA && alpha == 1f && (nc + NR - 1) / NR <= bl.directPanels();
                for (int ic = m0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    if (direct) {
                        for (int jr = 0; jr < nc; jr += NR) {
                            int w = panelWidth(jr, nc);
                            int ncols = Math.min(w, nc - jr);
                            int bi = jr * kc;
                            for (int ir = 0; ir < mc; ir += MR) {
                                int rows = Math.min(MR, mc - ir);
                                GemmMicroKernels.runDirect(rows, w / L, kc, A, aOff + (ic + ir) * lda + pc, lda, bp, bi, t);
                                addTile(t, w, rows, ncols, C, cOff + (ic + ir) * ldc + jc + jr, ldc, bet, last ? bias : null, jc + jr);
                            }
                        }
                        continue;
                    }
                    packA(transA, A, aOff, lda, ic, mc, pc, kc, alpha, ap, h);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int w = panelWidth(jr, nc);
                        int nv = w / L;
                        int ncols = Math.min(w, nc - jr);
                        int bi = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            GemmMicroKernels.run(h, nv, kc, ap, ir * kc, bp, bi, t);
                            addTile(t, w, Math.min(MR, mc - ir), ncols, C, cOff + (ic + ir) * ldc + jc + jr, ldc, bet,
                                    last ? bias : null, jc + jr);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs alpha * op(A)[i0:i0+mc, k0:k0+kc] into micro-panels of {@code h} rows (h >= min(MR, mc)): the panel of
     * rows {@code [i0+ir, +h)} ({@code ir} a multiple of MR) starts at {@code dst[ir*kc]} with element (r, k) at
     * {@code dst[ir*kc + k*h + r]}; rows past mc are zero.
     */
    static void packA(boolean transA, float[] A, int aOff, int lda, int i0, int mc, int k0, int kc, float alpha, float[] dst, int h) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int d = ir * kc;
            if (mr < h) {
                for (int k = 0; k < kc; k++)
                    for (int r = mr; r < h; r++) dst[d + k * h + r] = 0f;
            }
            if (transA) {
                // op(A)(i, k) = A[k, i]: rows of A are contiguous runs of mr values
                for (int k = 0; k < kc; k++) {
                    int src = aOff + (k0 + k) * lda + i0 + ir;
                    int o = d + k * h;
                    for (int r = 0; r < mr; r++) dst[o + r] = alpha * A[src + r];
                }
            } else {
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (i0 + ir + r) * lda + k0;
                    int o = d + r;
                    if (alpha == 1f) for (int k = 0; k < kc; k++) dst[o + k * h] = A[src + k];
                    else for (int k = 0; k < kc; k++) dst[o + k * h] = alpha * A[src + k];
                }
            }
        }
    }

    /**
     * {@code C[r, j] = t[r*w + j] + beta*C[r, j] (+ bias[n0 + j])} for r < mr, j < ncols; beta == 0 never reads C.
     */
    private static void addTile(float[] t, int w, int mr, int ncols, float[] C, int ci, int ldc, float beta, float[] bias, int n0) {
        int vec = ncols / L * L;
        for (int r = 0; r < mr; r++) {
            int c = ci + r * ldc, tr = r * w;
            int j = 0;
            if (beta == 0f) {
                for (; j < vec; j += L) FloatVector.fromArray(S, t, tr + j).intoArray(C, c + j);
                for (; j < ncols; j++) C[c + j] = t[tr + j];
            } else if (beta == 1f) {
                for (; j < vec; j += L) FloatVector.fromArray(S, t, tr + j).add(FloatVector.fromArray(S, C, c + j)).intoArray(C, c + j);
                for (; j < ncols; j++) C[c + j] += t[tr + j];
            } else {
                for (; j < vec; j += L)
                    FloatVector.fromArray(S, C, c + j).fma(FloatVector.broadcast(S, beta), FloatVector.fromArray(S, t, tr + j)).intoArray(C, c + j);
                for (; j < ncols; j++) C[c + j] = t[tr + j] + beta * C[c + j];
            }
            if (bias != null) {
                j = 0;
                for (; j < vec; j += L) FloatVector.fromArray(S, C, c + j).add(FloatVector.fromArray(S, bias, n0 + j)).intoArray(C, c + j);
                for (; j < ncols; j++) C[c + j] += bias[n0 + j];
            }
        }
    }

    /** C = beta * C (beta == 0 writes zeros). */
    static void scale(int M, int N, float beta, float[] C, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int m = 0; m < M; m++) {
            int c = cOff + m * ldc;
            if (beta == 0f) java.util.Arrays.fill(C, c, c + N, 0f);
            else for (int n = 0; n < N; n++) C[c + n] *= beta;
        }
    }

    /** op(B) = B, row-major [K, N]: element (k, n) at {@code B[off + k*ld + n]}. */
    record RowMajorB(float[] B, int off, int ld) implements PackB {
        @Override
        public void pack(int k0, int kc, int n0, int nc, float[] dst, Scratch s) {
            for (int jr = 0; jr < nc; jr += NR) {
                int w = panelWidth(jr, nc);
                int cols = Math.min(w, nc - jr);
                int d = jr * kc;
                int src = off + k0 * ld + n0 + jr;
                if (cols == w) {
                    for (int k = 0; k < kc; k++) {
                        int o = d + k * w, sk = src + k * ld;
                        for (int j = 0; j < w; j += L) FloatVector.fromArray(S, B, sk + j).intoArray(dst, o + j);
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        int o = d + k * w, sk = src + k * ld;
                        System.arraycopy(B, sk, dst, o, cols);
                        java.util.Arrays.fill(dst, o + cols, o + w, 0f);
                    }
                }
            }
        }
    }

    /** op(B) = B^T with B row-major [N, K]: element (k, n) at {@code B[off + n*ld + k]}. */
    record TransposedB(float[] B, int off, int ld) implements PackB {
        @Override
        public void pack(int k0, int kc, int n0, int nc, float[] dst, Scratch s) {
            for (int jr = 0; jr < nc; jr += NR) {
                int w = panelWidth(jr, nc);
                int cols = Math.min(w, nc - jr);
                int d = jr * kc;
                for (int j = 0; j < cols; j++) {
                    int src = off + (n0 + jr + j) * ld + k0;
                    for (int k = 0; k < kc; k++) dst[d + k * w + j] = B[src + k];
                }
                for (int j = cols; j < w; j++)
                    for (int k = 0; k < kc; k++) dst[d + k * w + j] = 0f;
            }
        }
    }
}
