package org.synesthesia.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * The machine's fp32 FMA peak as the engine can reach it: each thread runs {@link #CHAINS} independent chains
 * {@code acc_i = fma(acc_i, m, c)} over vectors of {@code FloatVector.SPECIES_PREFERRED} ({@code PeakProbeVector}),
 * or over single floats ({@link PeakProbeScalar}) without the Vector API. Twelve chains cover an FMA latency of
 * 4-6 cycles on two FMA pipes, so every cycle can start two FMAs; with m = 1 - 2^-23 and c = 2^-23 each chain stays
 * near 1 (no overflow, no subnormals). Each thread warms up until the JIT has compiled the loop (its chunks run at
 * a steady speed), then all threads start together and time slices of about {@link #SLICE_SECONDS}; a thread's rate
 * is its best slice's 2 x lanes x chains x iterations / slice time, and the result is the sum over the threads.
 */
public final class PeakProbe {
    /** Independent accumulator chains per thread. */
    public static final int CHAINS = 12;
    /** FMA iterations (of every chain) per call of a probe's chunk. */
    static final int ITERATIONS = 1024;
    /** Length of one timed slice, seconds. */
    static final double SLICE_SECONDS = 0.002;
    /** Warm-up ends once this many chunks in a row ran within 25% of the fastest one (and a third of the time passed). */
    private static final int STEADY_CHUNKS = 64;
    /** The warm-up stops here even if the chunks never settle (a loaded machine). */
    private static final long MAX_WARM_NANOS = 5_000_000_000L;

    private PeakProbe() {}

    /** One measurement: {@code threads} threads at {@code lanes} floats per FMA reached {@code gflops} in a {@code seconds} window. */
    public record Result(int threads, int lanes, double gflops, double seconds) {}

    /** The vector shape probed: e.g. "512-bit float vectors (16 lanes), 12 FMA chains per thread". */
    public static String describe(boolean scalar) {
        return (scalar || !Simd.available() ? "scalar floats" : VectorInfo.describe().replace("Vector API, ", ""))
                + ", " + CHAINS + " FMA chains per thread";
    }

    /** The peak of {@code threads} threads timed for about {@code seconds} after a warm-up of at least a third of that. */
    public static Result measure(int threads, double seconds) {
        return measure(threads, seconds, false);
    }

    /** As {@link #measure(int, double)}; {@code scalar}: the scalar twin even where the Vector API is available. */
    public static Result measure(int threads, double seconds, boolean scalar) {
        if (threads < 1) throw new IllegalArgumentException("threads must be positive, not " + threads);
        if (!(seconds > 0)) throw new IllegalArgumentException("seconds must be positive, not " + seconds);
        boolean vector = !scalar && Simd.available();
        int lanes = vector ? PeakProbeVector.lanes() : 1;
        double flopsPerChunk = 2.0 * lanes * CHAINS * ITERATIONS;
        long warm = (long) (seconds * 1e9 / 3), window = (long) (seconds * 1e9);
        long[] start = new long[1];
        CyclicBarrier ready = new CyclicBarrier(threads, () -> start[0] = System.nanoTime());
        double[] best = new double[threads];
        float[] sink = new float[threads];
        Runnable[] bodies = new Runnable[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            bodies[t] = () -> {
                float s = 0;
                long t0 = System.nanoTime(), fastest = Long.MAX_VALUE;
                for (int steady = 0; ; ) {
                    long a = System.nanoTime();
                    s += chunk(vector, s);
                    long d = System.nanoTime() - a;
                    fastest = Math.min(fastest, d);
                    steady = d <= fastest + fastest / 4 ? steady + 1 : 0;
                    long el = System.nanoTime() - t0;
                    if (el >= MAX_WARM_NANOS || el >= warm && steady >= STEADY_CHUNKS) break;
                }
                try {
                    ready.await();
                } catch (Exception e) {
                    throw new IllegalStateException("peak probe: thread " + id + " interrupted", e);
                }
                long perSlice = Math.max(1, (long) (SLICE_SECONDS * 1e9 / Math.max(1, fastest)));
                long deadline = start[0] + window;
                double rate = 0;
                do {
                    long a = System.nanoTime();
                    for (long k = 0; k < perSlice; k++) s += chunk(vector, s);
                    rate = Math.max(rate, perSlice * flopsPerChunk / Math.max(1, System.nanoTime() - a));
                } while (System.nanoTime() < deadline);
                best[id] = rate;
                sink[id] = s;
            };
        }
        List<Thread> workers = new ArrayList<>();
        for (int t = 1; t < threads; t++) workers.add(Thread.ofPlatform().name("synesthesia-peak-" + t).start(bodies[t]));
        bodies[0].run();
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("peak probe interrupted", e);
            }
        }
        double rate = 0;
        for (int t = 0; t < threads; t++) {
            if (Float.isNaN(sink[t])) throw new IllegalStateException("peak probe: NaN accumulator");
            rate += best[t];
        }
        return new Result(threads, lanes, rate, (System.nanoTime() - start[0]) / 1e9);
    }

    /** One chunk of {@link #ITERATIONS} FMAs on each chain; returns the chains' sum (kept, so the work is not dead). */
    private static float chunk(boolean vector, float seed) {
        float bias = seed * 0f; // depends on the previous chunk, so chunks cannot be folded
        return vector ? PeakProbeVector.chunk(bias) : PeakProbeScalar.chunk(bias);
    }
}
