package org.synesthesia.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.AttentionScalar;

/**
 * Self-attention of Stable Diffusion 1.x at 512x512: 4096 tokens, 8 heads of 40, with {@link Attention#sdpa};
 * the scalar reference on the last 64 queries against all 4096 keys (it is ~50x slower). The {@code gflop}
 * secondary result is GFLOPS (4 * lq * lk * d * heads). Run: {@code java -jar benchmarks/target/benchmarks.jar AttentionBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class AttentionBench {
    static final int TOKENS = 4096, HEADS = 8, D = 40, W = HEADS * D, SCALAR_QUERIES = 64;

    float[] q, k, v, o;
    float scale = (float) (1 / Math.sqrt(D));

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        q = ConvBench.random(r, TOKENS * W);
        k = ConvBench.random(r, TOKENS * W);
        v = ConvBench.random(r, TOKENS * W);
        o = new float[TOKENS * W];
    }

    @Benchmark
    public float[] vector(GflopCounter c) {
        c.gflop += 4.0 * TOKENS * TOKENS * D * HEADS / 1e9;
        Attention.sdpa(q, 0, W, k, 0, W, v, 0, W, o, 0, W, TOKENS, TOKENS, HEADS, D, scale, false);
        return o;
    }

    @Benchmark
    public float[] scalar64Queries(GflopCounter c) {
        c.gflop += 4.0 * SCALAR_QUERIES * TOKENS * D * HEADS / 1e9;
        AttentionScalar.sdpa(q, (TOKENS - SCALAR_QUERIES) * W, W, k, 0, W, v, 0, W, o, 0, W, SCALAR_QUERIES, TOKENS, HEADS, D, scale, false);
        return o;
    }
}
