package org.synesthesia.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool every kernel runs on. Its size is {@code -Dsynesthesia.threads=N}, or the environment
 * variable {@code SYNESTHESIA_THREADS}, or all cores; {@link #setThreads} changes it (the {@code --threads} flag).
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(defaultThreads());

    private Parallel() {}

    static int defaultThreads() {
        String v = System.getProperty("synesthesia.threads", System.getenv("SYNESTHESIA_THREADS"));
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // fall through to all cores
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("synesthesia-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    public static int threads() {
        return pool.getParallelism();
    }

    public static synchronized void setThreads(int n) {
        if (n <= 0) throw new IllegalArgumentException("threads must be positive");
        if (n == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        old.shutdown();
    }

    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks of at least
     * {@code grain} items (grain of work below which splitting is not worth it). Runs inline when one chunk.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) return;
        int t = threads();
        int chunks = (int) Math.min(t, Math.max(1, n / (long) Math.max(1, grain)));
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            body.run(0, n);
            return;
        }
        int c = chunks;
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[c];
                for (int i = 0; i < c; i++) {
                    int from = (int) ((long) n * i / c);
                    int to = (int) ((long) n * (i + 1) / c);
                    tasks[i] = ForkJoinTask.adapt(() -> body.run(from, to));
                }
                invokeAll(tasks);
            }
        });
    }

    /**
     * Runs {@code body} as one task on one pool thread, so every {@link #forRange} inside it runs inline: for a stream
     * of steps each too small to split (a VAD window's few-thousand-element products cost more to fan out than to do).
     */
    public static void serially(Runnable body) {
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            body.run();
            return;
        }
        // the body's own exception, as thrown (the pool would rethrow a copy with the original's text as its message)
        Throwable[] thrown = {null};
        pool.invoke(ForkJoinTask.adapt(() -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                thrown[0] = e;
            }
        }));
        if (thrown[0] instanceof RuntimeException e) throw e;
        if (thrown[0] instanceof Error e) throw e;
    }

    /** Runs {@code body(i)} for each {@code i} in {@code [0, n)}, items spread over the pool. */
    public static void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }
}
