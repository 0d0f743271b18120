package org.synesthesia.kernel;

/**
 * JIT warm-up of the vector kernels a diffusion UNet runs, on a background thread while the model loads. Until C2
 * has compiled a Vector API kernel it runs interpreted or in C1 with every vector boxed, tens of times slower, so
 * without warm-up the first forward pays for that. Each round calls, on tiny inputs that take the same branches as
 * real ones: the lanes-over-queries attention (whole and its three steps), sgemm at full and edge micro-panel
 * heights and widths, an F16 Linear (GEMM and two-row paths), GELU, SiLU, LayerNorm and GroupNorm + SiLU. Rounds
 * run until {@link #stop}, a time limit or {@link #ROUNDS} rounds; the results are discarded.
 */
public final class Warmup {
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Rounds to run: past C2's compile thresholds (about 15000 calls of each kernel); once compiled a round takes
     * microseconds, so the warm-up ends soon after the kernels are compiled.
     */
    private static final int ROUNDS = 30_000;
    private volatile boolean stopped;
    private final Thread thread;

    private Warmup(long maxMillis) {
        thread = new Thread(() -> run(maxMillis), "synesthesia-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /**
     * Starts rounds on a daemon thread for at most {@code maxMillis}: once per JVM (compiled code stays), and not
     * without SIMD; later calls return a handle that runs nothing.
     */
    public static Warmup start(long maxMillis) {
        Warmup w = new Warmup(maxMillis);
        if (Simd.available() && maxMillis > 0 && STARTED.compareAndSet(false, true)) w.thread.start();
        return w;
    }

    /** Ends the rounds after the current one (call when the real work starts, so that they do not compete with it). */
    public void stop() {
        stopped = true;
    }

    private void run(long maxMillis) {
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        Round r = new Round();
        for (int i = 0; i < ROUNDS && !stopped && System.nanoTime() < end; i++) r.run();
    }

    /** One round on this thread (tests: every kernel call of a round is valid). */
    static void runOnce() {
        new Round().run();
    }

    /** One round's inputs, made once. */
    private static final class Round {
        final int L = VecMath.L, d = 16, nk = 16, bq = AttentionTransposed.BQ;
        final float[] q = fill(bq * d), k = fill(nk * d), v = fill(nk * d), o = new float[bq * d];
        final float[] qt = fill(d * bq), st = new float[nk * bq], ot = new float[d * bq];
        final float[] m = new float[bq], l = new float[bq], corr = new float[bq];
        final float[] a = fill(40 * 24), b = fill(24 * (5 * L)), c = new float[40 * 5 * L];
        final float[] act = fill(4 * L + 3), ln = fill(4 * 40), lnOut = new float[4 * 40], g1 = fill(40), b1 = fill(40);
        final float[] gn = fill(2 * 8 * 9), gnOut = new float[gn.length], g8 = fill(8), b8 = fill(8);
        final WeightMatrix w16 = f16(5 * L, 24);   // an F16 Linear [5L, 24] in native memory, as mapped weights are
        final float[] bias = fill(5 * L), y = new float[40 * 5 * L];

        void run() {
            if (AttentionTransposed.suits()) {
                AttentionTransposed.sdpa(q, 0, d, k, 0, d, v, 0, d, o, 0, d, bq, nk, 1, d, 0.25f, AttentionTransposed.BK);
                java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
                java.util.Arrays.fill(l, 0f);
                AttentionTransposed.qk(qt, d, k, 0, d, nk, st);
                AttentionTransposed.softmax(st, nk, m, l, corr);
                AttentionTransposed.pv(st, nk, v, 0, d, d, corr, ot);
            }
            // full and edge panels (rows 40 = 3*12 + 4, columns 5L = 2*2L + L), then a short one
            Gemm.sgemm(false, false, 40, 5 * L, 24, 1f, a, 0, 24, b, 0, 5 * L, 0f, c, 0, 5 * L);
            Gemm.sgemm(false, false, 6, 5 * L, 24, 1f, a, 0, 24, b, 0, 5 * L, 1f, c, 0, 5 * L);
            Gemm.linear(a, 0, 24, 40, w16, bias, y, 0, 5 * L);
            Gemm.linear(a, 0, 24, 2, w16, bias, y, 0, 5 * L);
            System.arraycopy(a, 0, act, 0, act.length);
            Act.gelu(act, 0, act.length);
            System.arraycopy(a, 0, act, 0, act.length);
            Act.silu(act, 0, act.length);
            Norm.layerNorm(ln, 0, lnOut, 0, 4, 40, g1, b1, 1e-5f);
            Norm.groupNormSilu(gn, gnOut, 2, 8, 9, 4, g8, b8, 1e-5f);
        }

        private static WeightMatrix f16(int rows, int cols) {
            java.lang.foreign.MemorySegment m = java.lang.foreign.Arena.global().allocate(2L * rows * cols, 2);
            float[] x = fill(rows * cols);
            for (int i = 0; i < x.length; i++) m.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(x[i]));
            return WeightMatrix.of("warmup", org.synesthesia.tensor.DType.F16, rows, cols, m, null);
        }

        private static float[] fill(int n) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) Math.sin(i * 0.37) * 0.5f;
            return x;
        }
    }
}
