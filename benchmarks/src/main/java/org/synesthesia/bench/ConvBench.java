package org.synesthesia.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.ConvScalar;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.Tensor;

/**
 * Stable Diffusion's 3x3 convolution at 64x64x320 -> 320 (batch 1 and 2) on both GEMM paths of {@link Conv}, and
 * the scalar reference on a 16x16 image with the same channels (it is ~100x slower). The {@code gflop} secondary
 * result is GFLOPS (2 * O * P * C * 9 per image).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ConvBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConvBench {
    static final int C = 320, O = 320, H = 64, W = 64, K = 3, SMALL = 16;

    @Param({"1", "2"})
    public int batch;

    Tensor x;
    float[] xSmall;
    WeightMatrix w;
    float[] bias;
    double gflop, gflopSmall;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        x = Tensor.of(random(r, batch * C * H * W), batch, C, H, W);
        xSmall = random(r, batch * C * SMALL * SMALL);
        w = WeightMatrix.of(random(r, O * C * K * K), O, C * K * K);
        bias = random(r, O);
        gflop = 2.0 * batch * O * H * W * C * K * K / 1e9;
        gflopSmall = 2.0 * batch * O * SMALL * SMALL * C * K * K / 1e9;
    }

    @Benchmark
    public Tensor sgemmPath(GflopCounter c) {
        c.gflop += gflop;
        return Conv.conv2d(x, w, K, K, bias, 1, 1, 1, 1, 1, 1, 1, Conv.GemmPath.SGEMM);
    }

    @Benchmark
    public Tensor linearPath(GflopCounter c) {
        c.gflop += gflop;
        return Conv.conv2d(x, w, K, K, bias, 1, 1, 1, 1, 1, 1, 1, Conv.GemmPath.LINEAR);
    }

    @Benchmark
    public float[] scalar16x16(GflopCounter c) {
        c.gflop += gflopSmall;
        return ConvScalar.conv2d(xSmall, batch, C, SMALL, SMALL, w, K, K, bias, 1, 1, 1, 1, 1, 1, 1);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
