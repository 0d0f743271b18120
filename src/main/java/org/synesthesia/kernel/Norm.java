package org.synesthesia.kernel;

/**
 * Normalisations: LayerNorm over rows, GroupNorm over [N, C, H*W] (optionally fused with SiLU). Dispatches to the
 * Vector API kernels ({@code NormVector}: statistics in float lanes, blocks reduced in double; parallel over rows
 * or groups) when available, else to {@link NormScalar}, the reference.
 */
public final class Norm {
    private Norm() {}

    /**
     * LayerNorm over the last dimension: for each of {@code rows} rows of {@code dim} values,
     * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} (biased variance); gamma/beta may be null.
     * {@code y} may be {@code x} (in place).
     */
    public static void layerNorm(float[] x, int xOff, float[] y, int yOff, int rows, int dim, float[] gamma, float[] beta, float eps) {
        if (Simd.available()) NormVector.layerNorm(x, xOff, y, yOff, rows, dim, gamma, beta, eps);
        else NormScalar.layerNorm(x, xOff, y, yOff, rows, dim, gamma, beta, eps);
    }

    /**
     * GroupNorm on x [N, C, S] (S = H*W): channels split into {@code groups} groups, each normalised over its
     * C/groups*S values, then per channel {@code y = xhat * gamma[c] + beta[c]}. {@code y} may be {@code x}.
     */
    public static void groupNorm(float[] x, float[] y, int N, int C, int S, int groups, float[] gamma, float[] beta, float eps) {
        check(x, y, N, C, S, groups);
        if (Simd.available()) NormVector.groupNorm(x, y, N, C, S, groups, gamma, beta, eps, false);
        else NormScalar.groupNorm(x, y, N, C, S, groups, gamma, beta, eps);
    }

    /** {@link #groupNorm} followed by SiLU, y = silu(groupNorm(x)), in one pass over the output. */
    public static void groupNormSilu(float[] x, float[] y, int N, int C, int S, int groups, float[] gamma, float[] beta, float eps) {
        check(x, y, N, C, S, groups);
        if (Simd.available()) NormVector.groupNorm(x, y, N, C, S, groups, gamma, beta, eps, true);
        else NormScalar.groupNormSilu(x, y, N, C, S, groups, gamma, beta, eps);
    }

    private static void check(float[] x, float[] y, int N, int C, int S, int groups) {
        if (groups <= 0 || C % groups != 0) throw new IllegalArgumentException("groupNorm: " + C + " channels do not split into " + groups + " groups");
        long n = (long) N * C * S;
        if (x.length < n || y.length < n) throw new IllegalArgumentException("groupNorm: arrays of " + x.length + " and " + y.length + " values, expected " + N + "x" + C + "x" + S);
    }
}
