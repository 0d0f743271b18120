package org.synesthesia.kernel;

/** Plain normalisations, the reference for {@link Norm}. Statistics are accumulated in double, outputs float. */
public final class NormScalar {
    private NormScalar() {}

    /**
     * LayerNorm over the last dimension: for each of {@code rows} rows of {@code dim} values,
     * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} (biased variance); gamma/beta may be null.
     * {@code y} may be {@code x} (in place).
     */
    public static void layerNorm(float[] x, int xOff, float[] y, int yOff, int rows, int dim, float[] gamma, float[] beta, float eps) {
        for (int r = 0; r < rows; r++) {
            int xo = xOff + r * dim, yo = yOff + r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) sum += x[xo + i];
            double mean = sum / dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double c = x[xo + i] - mean;
                var += c * c;
            }
            float inv = (float) (1 / Math.sqrt(var / dim + eps));
            float m = (float) mean;
            for (int i = 0; i < dim; i++) {
                float v = (x[xo + i] - m) * inv;
                if (gamma != null) v *= gamma[i];
                if (beta != null) v += beta[i];
                y[yo + i] = v;
            }
        }
    }

    /**
     * GroupNorm on x [N, C, S] (S = H*W): channels split into {@code groups} groups, each normalised over its
     * C/groups*S values, then per channel {@code y = xhat * gamma[c] + beta[c]}. {@code y} may be {@code x}.
     */
    public static void groupNorm(float[] x, float[] y, int N, int C, int S, int groups, float[] gamma, float[] beta, float eps) {
        int cg = C / groups;
        for (int ng = 0; ng < N * groups; ng++) {
            int n = ng / groups, g = ng % groups;
            int base = (n * C + g * cg) * S;
            int len = cg * S;
            double sum = 0;
            for (int i = 0; i < len; i++) sum += x[base + i];
            double mean = sum / len;
            double var = 0;
            for (int i = 0; i < len; i++) {
                double c = x[base + i] - mean;
                var += c * c;
            }
            float inv = (float) (1 / Math.sqrt(var / len + eps));
            float m = (float) mean;
            for (int c = 0; c < cg; c++) {
                int ch = g * cg + c;
                float a = inv * (gamma == null ? 1 : gamma[ch]);
                float b = (beta == null ? 0 : beta[ch]) - m * a;
                int o = base + c * S;
                for (int i = 0; i < S; i++) y[o + i] = x[o + i] * a + b;
            }
        }
    }

    /** {@link #groupNorm} followed by SiLU, y = silu(groupNorm(x)) (double-precision SiLU). */
    public static void groupNormSilu(float[] x, float[] y, int N, int C, int S, int groups, float[] gamma, float[] beta, float eps) {
        groupNorm(x, y, N, C, S, groups, gamma, beta, eps);
        ActScalar.silu(y, 0, N * C * S);
    }
}
