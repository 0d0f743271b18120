package org.synesthesia.diffusion.scheduler;

/**
 * The few array recipes the reference schedulers build their tables with, reproduced to the last bit: PyTorch's
 * float32 {@code linspace} and {@code cumprod}, numpy's float64 {@code linspace}, {@code arange} with a float step,
 * {@code interp} and {@code round}.
 */
final class Numerics {
    private Numerics() {}

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} on an x86 CPU: {@code step = (end - start) / (steps - 1)}
     * in float; element i is {@code start + step*i} below the halfway point and {@code end - step*(steps-1-i)} from it on.
     * The kernel fills 8-lane vectors from a base value ({@code base + k*step}, the base chosen by the first lane's
     * index) over the largest multiple of 16 elements and the rest one at a time, every multiply-add fused.
     */
    static float[] torchLinspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int half = steps / 2;
        int lanes = 8, vectorEnd = steps / (2 * lanes) * (2 * lanes), i = 0;
        for (; i < vectorEnd; i += lanes) {
            float base = linspaceAt(start, end, step, steps, half, i);
            for (int k = 0; k < lanes; k++) out[i + k] = Math.fma((float) k, step, base);
        }
        for (; i < steps; i++) out[i] = linspaceAt(start, end, step, steps, half, i);
        return out;
    }

    private static float linspaceAt(float start, float end, float step, int steps, int half, int i) {
        return i < half ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - 1 - i), end);
    }

    /** {@code torch.cumprod} of float32 values on the CPU: the running product is kept in double, each output rounded to float. */
    static float[] torchCumprod(float[] v) {
        float[] out = new float[v.length];
        double acc = 1.0;
        for (int i = 0; i < v.length; i++) {
            acc *= v[i];
            out[i] = (float) acc;
        }
        return out;
    }

    /** {@code numpy.linspace(start, stop, num)} in float64: {@code i*step + start}, the last element exactly {@code stop}. */
    static double[] numpyLinspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 0) return y;
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code numpy.arange(start, stop, step)} with a float64 step: length {@code ceil((stop-start)/step)}, elements
     * {@code start + i*delta} where {@code delta = (start + step) - start}, as numpy fills it.
     */
    static double[] numpyArange(double start, double stop, double step) {
        double len = Math.ceil((stop - start) / step);
        int n = len > 0 ? (int) len : 0;
        double[] y = new double[n];
        if (n == 0) return y;
        y[0] = start;
        if (n == 1) return y;
        y[1] = start + step;
        double delta = y[1] - y[0];
        for (int i = 2; i < n; i++) y[i] = start + i * delta;
        return y;
    }

    /**
     * {@code numpy.interp(x, arange(len(fp)), fp)} in float64 (fp given as float32, widened): linear between the
     * neighbouring grid points, exact at grid points, clamped to the end values outside.
     */
    static double interpOnIndexGrid(double x, float[] fp) {
        int n = fp.length;
        if (x <= 0) return fp[0];
        if (x >= n - 1) return fp[n - 1];
        int j = (int) Math.floor(x);
        if (x == j) return fp[j];
        double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /** numpy's round to the nearest integer, halves to even. */
    static long roundHalfEven(double x) {
        return (long) Math.rint(x);
    }
}
