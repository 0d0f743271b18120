package org.synesthesia.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;

/**
 * For tests of Vector API kernels ({@code @ExtendWith(VectorOnly.class)}): skipped when the Vector API is not
 * available; the pool's thread count, which such tests may change, is restored after each test.
 */
public final class VectorOnly implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(VectorOnly.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        assumeTrue(Simd.available(), "Vector API not available");
        context.getStore(NS).put("threads", Parallel.threads());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Integer saved = context.getStore(NS).get("threads", Integer.class);
        if (saved != null && saved > 0) Parallel.setThreads(saved);
    }
}
