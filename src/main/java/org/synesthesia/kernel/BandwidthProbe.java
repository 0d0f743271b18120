package org.synesthesia.kernel;

/**
 * The machine's memory read bandwidth as the engine's kernels see it: the sum of a {@code megabytes} float32 heap
 * array (far larger than the caches), read once per pass in address order, split into {@code threads} contiguous
 * parts on {@link Parallel#spinning} threads; GB/s = bytes / time of the fastest of {@code passes} passes. The
 * floor of a memory-bound step (a decoder token's matrix-vector products) is its bytes divided by this.
 */
public final class BandwidthProbe {
    private BandwidthProbe() {}

    /** GB/s reading {@code megabytes} MiB with the pool's threads, the best of {@code passes} passes (after one untimed). */
    public static double measure(int megabytes, int passes) {
        if (megabytes < 1 || passes < 1) throw new IllegalArgumentException("bandwidth probe: " + megabytes + " MiB, " + passes + " passes");
        float[] a = new float[megabytes << 18];
        for (int i = 0; i < a.length; i += 1024) a[i] = 1f;
        boolean vector = Simd.available();
        double best = Double.MAX_VALUE;
        float[] sink = new float[1];
        for (int p = 0; p <= passes; p++) {
            long t0 = System.nanoTime();
            Parallel.spinning(() -> Parallel.forRange(a.length, 1 << 20, (from, to) -> {
                float s = vector ? BandwidthProbeVector.sum(a, from, to) : sum(a, from, to);
                synchronized (sink) {
                    sink[0] += s;
                }
            }));
            double sec = (System.nanoTime() - t0) / 1e9;
            if (p > 0) best = Math.min(best, sec);
        }
        if (Float.isNaN(sink[0])) throw new IllegalStateException("bandwidth probe: NaN sum");
        return 4.0 * a.length / best / 1e9;
    }

    /** The scalar reference: {@code sum a[from, to)}, four partial sums. */
    static float sum(float[] a, int from, int to) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < to; i++) s0 += a[i];
        return s0 + s1 + s2 + s3;
    }
}
