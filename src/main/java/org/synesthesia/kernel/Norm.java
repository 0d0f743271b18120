package org.synesthesia.kernel;

/** Normalisations. Statistics are accumulated in double, outputs float. */
public final class Norm {
    private Norm() {}

    /**
     * LayerNorm over the last dimension: for each of {@code rows} rows of {@code dim} values,
     * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} (biased variance); gamma/beta may be null.
     * {@code y} may be {@code x} (in place).
     */
    public static void layerNorm(float[] x, int xOff, float[] y, int yOff, int rows, int dim, float[] gamma, float[] beta, float eps) {
        Parallel.forRange(rows, Math.max(1, 16384 / Math.max(1, dim)), (from, to) -> {
            for (int r = from; r < to; r++) {
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
        });
    }

    /**
     * GroupNorm on x [N, C, S] (S = H*W): channels split into {@code groups} groups, each normalised over its
     * C/groups*S values, then per channel {@code y = xhat * gamma[c] + beta[c]}. {@code y} may be {@code x}.
     */
    public static void groupNorm(float[] x, float[] y, int N, int C, int S, int groups, float[] gamma, float[] beta, float eps) {
        int cg = C / groups;
        Parallel.forEach(N * groups, ng -> {
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
        });
    }
}
