package org.synesthesia.convert;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Results of {@code n} independent tasks consumed in order 0, 1, 2, ...: while item i is consumed, items up to
 * {@code i + window} are computed on {@code threads} threads, so at most about {@code window} results are held.
 */
final class Prefetch<T> implements AutoCloseable {
    private final int n;
    private final int window;
    private final IntFunction<T> task;
    private final ExecutorService pool;
    private final Map<Integer, Future<T>> pending = new HashMap<>();
    private int submitted;
    private int next;

    Prefetch(int n, int threads, int window, IntFunction<T> task) {
        this.n = n;
        this.window = Math.max(1, window);
        this.task = task;
        this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "convert");
            t.setDaemon(true);
            return t;
        });
    }

    /** The result of item {@code i}; items must be asked for in increasing order, each once. */
    synchronized T get(int i) {
        if (i != next) throw new IllegalStateException("item " + i + " asked for, expected " + next);
        next++;
        while (submitted < n && submitted <= i + window) {
            int k = submitted++;
            pending.put(k, pool.submit(() -> task.apply(k)));
        }
        Future<T> f = pending.remove(i);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        for (Future<T> f : pending.values()) f.cancel(true);
        pool.shutdownNow();
    }
}
