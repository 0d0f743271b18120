package org.synesthesia.tensor;

/**
 * PyTorch's CPU random generator ({@code torch.Generator()}) and the float32 draws Stable Diffusion uses, bit for
 * bit: {@code manual_seed(seed)} then {@code torch.randn(shape, generator=g)} / {@code torch.rand(...)} give the
 * same numbers here as in PyTorch on a CPU, and successive draws continue the same stream.
 *
 * <p>The engine is MT19937 (32-bit words, state of 624) seeded with the low 32 bits of the seed, as
 * {@code at::mt19937}. Derived draws:
 * <ul>
 *   <li>uniform float in [0,1): {@code (u32 & (2^24-1)) * 2^-24};
 *   <li>uniform double in [0,1): a 64-bit word {@code (first u32 << 32) | second u32}, {@code & (2^53-1)},
 *       {@code * 2^-53};
 *   <li>{@code randn} of n >= 16 floats (the vectorised {@code normal_fill}): first n uniform floats, then
 *       Box-Muller over each block of 16 (pairs j, j+8: {@code r = sqrt(-2 log(1-u[j]))},
 *       {@code theta = 2 pi u[j+8]}, {@code out[j] = r cos theta}, {@code out[j+8] = r sin theta}); when n is not a
 *       multiple of 16 the last 16 outputs are redrawn from 16 fresh uniforms and transformed again. The
 *       transcendental functions are those of the AVX2 build PyTorch runs on x86 ({@link CephesFloat});
 *   <li>{@code randn} of n < 16 floats: the scalar path, one double Box-Muller per pair of outputs from two
 *       uniform doubles, the sine half cached in the generator for the next scalar normal (and dropped by
 *       {@code manual_seed}).
 * </ul>
 * Not thread-safe: one generator per sampling loop.
 */
public final class TorchGenerator {
    private static final int N = 624, M = 397;
    private static final int MATRIX_A = 0x9908b0df, UPPER = 0x80000000, LOWER = 0x7fffffff;

    private final int[] state = new int[N];
    private int left, next;
    private long seed;
    /** The cached second value of the last scalar (double) Box-Muller pair, or NaN when none is cached. */
    private double nextDoubleNormal = Double.NaN;

    /** A generator seeded as {@code torch.Generator().manual_seed(seed)}. */
    public TorchGenerator(long seed) {
        manualSeed(seed);
    }

    /** Reseeds: {@code generator.manual_seed(seed)}. Seeds are taken modulo 2^64 and only the low 32 bits seed MT19937. */
    public TorchGenerator manualSeed(long seed) {
        this.seed = seed;
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        left = 1;
        next = 0;
        nextDoubleNormal = Double.NaN;
        return this;
    }

    /** The seed last given to {@link #manualSeed}. */
    public long initialSeed() {
        return seed;
    }

    /** The next 32-bit MT19937 output, as an unsigned value in a long. */
    public long nextU32() {
        if (--left == 0) twist();
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** Two 32-bit outputs as one 64-bit word, the first in the high half ({@code random64()}). */
    public long nextU64() {
        long hi = nextU32();
        long lo = nextU32();
        return (hi << 32) | lo;
    }

    private void twist() {
        left = N;
        next = 0;
        int p = 0;
        for (int j = N - M + 1; --j > 0; p++) state[p] = state[p + M] ^ mix(state[p], state[p + 1]);
        for (int j = M; --j > 0; p++) state[p] = state[p + M - N] ^ mix(state[p], state[p + 1]);
        state[p] = state[p + M - N] ^ mix(state[p], state[0]);
    }

    private static int mix(int u, int v) {
        int y = (u & UPPER) | (v & LOWER);
        return (y >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
    }

    /** One uniform float in [0,1) as {@code at::uniform_real_distribution<float>(0,1)}. */
    public float nextFloat() {
        return (float) (nextU32() & 0xffffff) * 0x1.0p-24f;
    }

    /** One uniform double in [0,1) as {@code at::uniform_real_distribution<double>(0,1)}. */
    public double nextDouble() {
        return (double) (nextU64() & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** One standard normal double from the scalar path ({@code at::normal_distribution<double>(0,1)}), with its cache. */
    public double nextNormalDouble() {
        if (!Double.isNaN(nextDoubleNormal)) {
            double v = nextDoubleNormal;
            nextDoubleNormal = Double.NaN;
            return v;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        nextDoubleNormal = r * Math.sin(theta);
        return r * Math.cos(theta);
    }

    /** {@code torch.rand(n, generator=g)}: n uniform floats in [0,1). */
    public float[] rand(int n) {
        float[] out = new float[checkCount(n)];
        for (int i = 0; i < n; i++) out[i] = nextFloat();
        return out;
    }

    /** {@code torch.rand(shape, generator=g)} flattened row-major. */
    public float[] rand(int... shape) {
        return rand(count(shape));
    }

    /** {@code torch.randn(n, generator=g)}: n standard normal floats (the path depends on n, as in PyTorch). */
    public float[] randn(int n) {
        float[] out = new float[checkCount(n)];
        if (n < 16) {
            for (int i = 0; i < n; i++) out[i] = (float) nextNormalDouble();
            return out;
        }
        for (int i = 0; i < n; i++) out[i] = nextFloat();
        for (int i = 0; i + 16 <= n; i += 16) CephesFloat.boxMuller16(out, i);
        if (n % 16 != 0) {
            int tail = n - 16;
            for (int i = 0; i < 16; i++) out[tail + i] = nextFloat();
            CephesFloat.boxMuller16(out, tail);
        }
        return out;
    }

    /** {@code torch.randn(shape, generator=g)} flattened row-major (only the element count matters). */
    public float[] randn(int... shape) {
        return randn(count(shape));
    }

    private static int checkCount(int n) {
        if (n < 0) throw new IllegalArgumentException("negative element count " + n);
        return n;
    }

    private static int count(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("too many elements: " + java.util.Arrays.toString(shape));
        return (int) n;
    }
}
