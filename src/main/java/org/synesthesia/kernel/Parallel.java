package org.synesthesia.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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
        Team team = Team.current;
        if (team != null && team.owns(Thread.currentThread())) {
            team.run(n, chunks, body);
            return;
        }
        if (Thread.currentThread() instanceof Team.Helper) {
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

    /**
     * Runs {@code body} on the calling thread while {@code threads() - 1} helper threads spin waiting for work: each
     * {@link #forRange} the body calls hands its chunks to them with a few memory writes instead of waking pool
     * threads (tens of microseconds a call), the calling thread taking chunks too. For a stream of many small
     * parallel steps (a decoder token: some sixty matrix-vector products, norms and attentions of 10-500 us each).
     * The helpers burn their cores while the body runs and park when it returns. Nested calls run inline.
     */
    public static void spinning(Runnable body) {
        int helpers = threads() - 1;
        if (helpers < 1 || Team.current != null || ForkJoinTask.inForkJoinPool() || Thread.currentThread() instanceof Team.Helper) {
            body.run();
            return;
        }
        Team team;
        synchronized (Parallel.class) {
            if (Team.current != null) team = null;
            else {
                if (Team.idle == null || Team.idle.size() != helpers) {
                    if (Team.idle != null) Team.idle.close();
                    Team.idle = new Team(helpers);
                }
                team = Team.idle;
                team.start(Thread.currentThread());
                Team.current = team;
            }
        }
        if (team == null) {
            body.run();
            return;
        }
        try {
            body.run();
        } finally {
            synchronized (Parallel.class) {
                team.stop();
                Team.current = null;
            }
        }
    }

    /**
     * Helper threads of {@link #spinning}: a job (immutable, with its own counters) is published in {@code job};
     * every thread claims chunk indices from its {@code next} and counts them in its {@code done}; the owner spins
     * until all are done. A helper holding a finished job finds no chunk left in it.
     */
    static final class Team {
        static volatile Team current;
        static Team idle;

        static final class Helper extends Thread {
            Helper(Runnable r, int i) {
                super(r, "synesthesia-spin-" + i);
                setDaemon(true);
            }
        }

        private record Job(Range body, int n, int chunks, AtomicInteger next, AtomicInteger done, Throwable[] error) {
            /** Claims and runs chunks until none is left. */
            void work() {
                for (int i; (i = next.getAndIncrement()) < chunks; ) {
                    try {
                        body.run((int) ((long) n * i / chunks), (int) ((long) n * (i + 1) / chunks));
                    } catch (Throwable t) {
                        error[0] = t;
                    } finally {
                        done.incrementAndGet();
                    }
                }
            }
        }

        private final Helper[] threads;
        private volatile Thread owner;
        private volatile boolean active, closed;
        private volatile Job job;
        private boolean inJob;

        Team(int helpers) {
            threads = new Helper[helpers];
            for (int i = 0; i < helpers; i++) {
                threads[i] = new Helper(this::loop, i);
                threads[i].start();
            }
        }

        int size() {
            return threads.length;
        }

        boolean owns(Thread t) {
            return owner == t;
        }

        void start(Thread t) {
            owner = t;
            active = true;
            for (Thread h : threads) LockSupport.unpark(h);
        }

        void stop() {
            active = false;
            owner = null;
        }

        void close() {
            closed = true;
            for (Thread h : threads) LockSupport.unpark(h);
        }

        /** Runs chunks {@code [0, chunks)} of {@code [0, n)} on the owner and the helpers; returns when all are done. */
        void run(int n, int chunks, Range body) {
            if (inJob) { // a loop inside a chunk the owner runs
                body.run(0, n);
                return;
            }
            Job j = new Job(body, n, chunks, new AtomicInteger(), new AtomicInteger(), new Throwable[1]);
            job = j;
            inJob = true;
            try {
                j.work();
            } finally {
                inJob = false;
            }
            while (j.done.get() < chunks) Thread.onSpinWait();
            Throwable e = j.error[0];
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error r) throw r;
        }

        private void loop() {
            Job seen = null;
            while (!closed) {
                Job j = job;
                if (j != seen) {
                    seen = j;
                    j.work();
                } else if (!active) {
                    LockSupport.park(this);
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** Runs {@code body(i)} for each {@code i} in {@code [0, n)}, items spread over the pool. */
    public static void forEach(int n, java.util.function.IntConsumer body) {
        forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }
}
