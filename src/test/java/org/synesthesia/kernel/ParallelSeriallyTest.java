package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@link Parallel#serially}: the body runs on one pool thread and every loop inside it inline; errors come through. */
class ParallelSeriallyTest {
    @Test
    void loopsInsideRunInlineOnOneThread() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(4);
            Set<String> inside = ConcurrentHashMap.newKeySet();
            long[] sum = {0};
            Parallel.serially(() -> {
                for (int k = 0; k < 10; k++)
                    Parallel.forRange(4000, 1, (a, b) -> {
                        inside.add(Thread.currentThread().getName());
                        for (int i = a; i < b; i++) sum[0] += i;
                    });
            });
            assertEquals(1, inside.size(), "threads inside serially: " + inside);
            assertEquals(10L * 4000 * 3999 / 2, sum[0]);
            assertEquals(true, inside.iterator().next().startsWith("synesthesia-"), "a pool thread: " + inside);
            RuntimeException e = assertThrows(IllegalStateException.class, () -> Parallel.serially(() -> {
                throw new IllegalStateException("from the body");
            }));
            assertEquals("from the body", e.getMessage());
        } finally {
            Parallel.setThreads(before);
        }
    }
}
