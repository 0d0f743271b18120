package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel#spinning}: every loop inside covers its range exactly once over the caller and the spinning
 * helpers, nested loops run inline, a chunk's exception comes through, and spinning again after a pool resize works.
 */
class ParallelSpinningTest {
    @Test
    void loopsCoverTheirRangesOnTheCallerAndHelpers() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                Set<String> names = ConcurrentHashMap.newKeySet();
                AtomicLong sum = new AtomicLong(), nested = new AtomicLong();
                int[] hits = new int[1001];
                Parallel.spinning(() -> {
                    for (int k = 0; k < 2000; k++) {
                        int n = 1 + k % 1001;
                        Parallel.forRange(n, 1, (a, b) -> {
                            names.add(Thread.currentThread().getName());
                            for (int i = a; i < b; i++) {
                                sum.addAndGet(i);
                                synchronized (hits) {
                                    hits[i]++;
                                }
                            }
                            Parallel.forRange(8, 1, (c, d) -> nested.addAndGet(d - c));
                        });
                    }
                });
                long expect = 0;
                int[] want = new int[1001];
                for (int k = 0; k < 2000; k++) {
                    int n = 1 + k % 1001;
                    expect += (long) n * (n - 1) / 2;
                    for (int i = 0; i < n; i++) want[i]++;
                }
                assertEquals(expect, sum.get(), threads + " threads");
                assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(hits));
                assertTrue(nested.get() % 8 == 0 && nested.get() > 0);
                assertTrue(names.size() <= threads, names.toString());
                RuntimeException e = assertThrows(IllegalStateException.class, () -> Parallel.spinning(() ->
                        Parallel.forRange(100, 1, (a, b) -> {
                            if (b == 100) throw new IllegalStateException("from a chunk");
                        })));
                assertEquals("from a chunk", e.getMessage());
                // usable again after an error, and re-entrant
                long[] s2 = {0};
                Parallel.spinning(() -> Parallel.spinning(() -> Parallel.forRange(10, 1, (a, b) -> {
                    synchronized (s2) {
                        s2[0] += b - a;
                    }
                })));
                assertEquals(10, s2[0]);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
