package org.synesthesia.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.GemmScalar;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;

/**
 * {@code C[M,N] = A[M,K] B[K,N]}: the engine's Vector API sgemm, its scalar reference and jblas (native BLAS, a
 * baseline; skipped with a message when its native library cannot load, e.g. without Debian's libgfortran5), at
 * Whisper/Stable Diffusion sizes, plus {@code Y = X W^T} with F16/Q8_0/PAL4 weights ({@link Linear}). Times are per
 * product; GFLOPS = 2*M*N*K / time (the score of a shape in ms: GFLOPS = 2MNK / (score * 1e6)).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar GemmBench -p threads=2</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
public class GemmBench {
    /** M x N x K; the last is Whisper's logits (one token, 512 features, 51865 words). */
    @Param({"1024x1024x1024", "4096x320x320", "4096x320x1280", "1500x384x1536", "1x51865x512"})
    public String shape;

    /** Pool size of the engine's kernels (the scalar reference is single-threaded). */
    @Param({"2"})
    public int threads;

    int M, N, K;
    float[] a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = parse(shape);
        M = s[0];
        N = s[1];
        K = s[2];
        SplittableRandom rnd = new SplittableRandom(1);
        a = random(rnd, M * K);
        b = random(rnd, K * N);
        c = new float[M * N];
        Parallel.setThreads(threads);
    }

    @Benchmark
    public float[] vector() {
        Gemm.sgemm(false, false, M, N, K, 1f, a, 0, K, b, 0, N, 0f, c, 0, N);
        return c;
    }

    /** Seconds per call on the large shapes: few iterations. */
    @Benchmark
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 2, time = 1)
    public float[] scalar() {
        GemmScalar.sgemm(false, false, M, N, K, 1f, a, 0, K, b, 0, N, 0f, c, 0, N);
        return c;
    }

    @Benchmark
    public Object jblas(Jblas j) {
        return j.run();
    }

    /** jblas operands (column-major: the same product shapes) and the loading check. */
    @State(Scope.Benchmark)
    public static class Jblas {
        private Object ma, mb, mc;

        @Setup(Level.Trial)
        public void setup(GemmBench g) {
            try {
                org.jblas.FloatMatrix x = org.jblas.FloatMatrix.rand(g.M, g.K), y = org.jblas.FloatMatrix.rand(g.K, g.N);
                org.jblas.FloatMatrix z = new org.jblas.FloatMatrix(g.M, g.N);
                org.jblas.SimpleBlas.gemm(1f, x, y, 0f, z); // loads the native library
                ma = x;
                mb = y;
                mc = z;
            } catch (Throwable t) {
                throw new Skipped("jblas skipped: its native library did not load (" + t + "); on Debian/Ubuntu: apt-get install libgfortran5");
            }
        }

        Object run() {
            return org.jblas.SimpleBlas.gemm(1f, (org.jblas.FloatMatrix) ma, (org.jblas.FloatMatrix) mb, 0f, (org.jblas.FloatMatrix) mc);
        }
    }

    /** A one-line reason to skip a benchmark (no stack trace). */
    static final class Skipped extends RuntimeException {
        Skipped(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code Y[M,N] = X[M,K] W^T} with W [N,K] stored as F16, Q8_0 or 4-bit palettized, off-heap like a mapped checkpoint. */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @State(Scope.Benchmark)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 1)
    public static class Linear {
        @Param({"1500x384x1536", "1x51865x512"})
        public String shape;

        @Param({"f32", "f16", "q8_0", "pal4"})
        public String type;

        @Param({"2"})
        public int threads;

        int M;
        float[] x, y;
        WeightMatrix w;
        Arena arena;

        @Setup(Level.Trial)
        public void setup() {
            int[] s = parse(shape);
            M = s[0];
            int N = s[1], K = s[2];
            SplittableRandom rnd = new SplittableRandom(2);
            x = random(rnd, M * K);
            y = new float[M * N];
            float[] f = random(rnd, N * K);
            arena = Arena.ofShared();
            w = switch (type) {
                case "f32" -> WeightMatrix.of(f, N, K);
                case "f16" -> WeightMatrix.of("f16", DType.F16, N, K, offHeap(Quantize.toF16(f)), null);
                case "q8_0" -> WeightMatrix.of("q8_0", DType.Q8_0, N, K, offHeap(Quantize.toQ8_0(f)), null);
                case "pal4" -> {
                    var p = Quantize.palettize(f, N, K, 4, N, Quantize.uniformLut(f, N, K, 4, N));
                    yield WeightMatrix.of("pal4", DType.PAL, N, K, offHeap(p.indices()), p.palette());
                }
                default -> throw new IllegalArgumentException("unknown weight type " + type);
            };
            Parallel.setThreads(threads);
        }

        private MemorySegment offHeap(byte[] bytes) {
            MemorySegment s = arena.allocate(bytes.length, 64);
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return s;
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }

        @Benchmark
        public float[] linear() {
            Gemm.linear(x, 0, w.cols(), M, w, null, y, 0, w.rows());
            return y;
        }
    }

    static int[] parse(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }
}
