package org.synesthesia.translator;

import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/**
 * The three training losses of the original scripts, on predictions P (B, D) and targets T (B, D), each with its
 * gradient dL/dP. Sums accumulate in double.
 * <ul>
 * <li>{@link #MSE} (traductorEMC.py, {@code nn.MSELoss()}): L = mean over B*D of (P - T)^2; dL/dP = 2 (P - T) / (B D).</li>
 * <li>{@link #COSINE} (traductorcos.py, {@code nn.CosineEmbeddingLoss(margin=1)} with target +1; the margin only
 *     acts on target -1, which the script never uses): L = mean_i (1 - cos_i), with ATen's
 *     cos_i = P_i.T_i / sqrt((|P_i|^2 + 1e-12)(|T_i|^2 + 1e-12)).</li>
 * <li>{@link #CONTRASTIVE} (traductorCL.py, {@code SimCLR(batch_size=B, temperature=0.5)}): R = cat(normalize(P),
 *     normalize(T)) (2B, D); S_kj = R_k.R_j / sqrt(max(|R_k|^2 |R_j|^2, 1e-16)) (cosine_similarity, eps 1e-8);
 *     pos(k) = k + B or k - B; L = (1/2B) sum_k -log(exp(S_k,pos(k)/t) / sum_{j != k} exp(S_kj/t)), t = 0.5.</li>
 * </ul>
 */
public enum Loss {
    MSE("mse"), COSINE("cosine"), CONTRASTIVE("contrastive");

    /** SimCLR's temperature in traductorCL.py. */
    public static final double TEMPERATURE = 0.5;
    /** ATen's cosine_embedding_loss EPSILON, added to each squared magnitude. */
    static final double COSINE_EPS = 1e-12;
    /** F.cosine_similarity's eps (on the product of the norms). */
    static final double SIMILARITY_EPS = 1e-8;

    private final String id;

    Loss(String id) { this.id = id; }

    public String id() { return id; }

    public static Loss parse(String s) {
        for (Loss l : values()) if (l.id.equals(s.toLowerCase(Locale.ROOT))) return l;
        throw new SynesthesiaException("unknown loss '" + s + "' (one of mse, cosine, contrastive)");
    }

    /** The loss of {@code rows} rows; if {@code grad} is not null it receives dL/dP (rows, dim). */
    public double compute(float[] pred, float[] target, int rows, int dim, float[] grad, Kernels k) {
        if (pred.length != rows * dim || target.length != rows * dim) throw new IllegalArgumentException("loss: expected " + rows + "x" + dim + " values");
        return switch (this) {
            case MSE -> mse(pred, target, rows, dim, grad);
            case COSINE -> cosine(pred, target, rows, dim, grad);
            case CONTRASTIVE -> contrastive(pred, target, rows, dim, grad, k);
        };
    }

    private static double mse(float[] p, float[] t, int rows, int dim, float[] grad) {
        double sum = 0, n = (double) rows * dim;
        for (int i = 0; i < p.length; i++) {
            double d = (double) p[i] - t[i];
            sum += d * d;
            if (grad != null) grad[i] = (float) (2 * d / n);
        }
        return sum / n;
    }

    /** dcos/dP_i = T_i / den - cos_i P_i / (|P_i|^2 + eps), den = sqrt((|P_i|^2 + eps)(|T_i|^2 + eps)). */
    private static double cosine(float[] p, float[] t, int rows, int dim, float[] grad) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double dot = 0, pp = 0, tt = 0;
            for (int c = 0; c < dim; c++) {
                double a = p[o + c], b = t[o + c];
                dot += a * b;
                pp += a * a;
                tt += b * b;
            }
            double m1 = pp + COSINE_EPS, m2 = tt + COSINE_EPS, den = Math.sqrt(m1 * m2), cos = dot / den;
            sum += 1 - cos;
            if (grad != null)
                for (int c = 0; c < dim; c++) grad[o + c] = (float) (-(t[o + c] / den - cos * p[o + c] / m1) / rows);
        }
        return sum / rows;
    }

    /**
     * SimCLR's NT-Xent. With G_kj = dL/dS_kj = (softmax_{j != k}(S_k / t)_j - [j = pos(k)]) / (2B t) and S symmetric,
     * dL/dR_k = sum_j (G_kj + G_jk) (R_j / (n_k n_j) - S_kj R_k / n_k^2), then through normalize for the first B rows:
     * dL/dP_i = (dR_i - z_i (z_i . dR_i)) / |P_i|.
     */
    private static double contrastive(float[] p, float[] t, int rows, int dim, float[] grad, Kernels k) {
        int n2 = 2 * rows;
        float[] r = new float[n2 * dim];
        double[] pNorm = new double[rows];
        for (int i = 0; i < n2; i++) {
            float[] src = i < rows ? p : t;
            int o = (i % rows) * dim;
            double ss = 0;
            for (int c = 0; c < dim; c++) { double v = src[o + c]; ss += v * v; }
            double norm = Math.sqrt(ss);
            if (i < rows) pNorm[i] = norm;
            float inv = (float) (1 / Math.max(norm, Translator.NORM_EPS));
            for (int c = 0; c < dim; c++) r[i * dim + c] = src[o + c] * inv;
        }
        // squared norms of R's rows (1 up to rounding), and S = R R^T / max(n_k n_j, eps)
        double[] sq = new double[n2];
        for (int i = 0; i < n2; i++) {
            double ss = 0;
            for (int c = 0; c < dim; c++) { double v = r[i * dim + c]; ss += v * v; }
            sq[i] = ss;
        }
        float[] dots = new float[n2 * n2];
        k.gemm(false, true, n2, n2, dim, r, dim, r, dim, 0f, dots, n2);
        double[] s = new double[n2 * n2], den = new double[n2 * n2];
        for (int i = 0; i < n2; i++)
            for (int j = 0; j < n2; j++) {
                den[i * n2 + j] = Math.sqrt(Math.max(sq[i] * sq[j], SIMILARITY_EPS * SIMILARITY_EPS));
                s[i * n2 + j] = dots[i * n2 + j] / den[i * n2 + j];
            }
        double loss = 0;
        double[] g = grad == null ? null : new double[n2 * n2];
        double scale = 1.0 / (n2 * TEMPERATURE);
        for (int i = 0; i < n2; i++) {
            int pos = i < rows ? i + rows : i - rows;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n2; j++) if (j != i) max = Math.max(max, s[i * n2 + j] / TEMPERATURE);
            double z = 0;
            for (int j = 0; j < n2; j++) if (j != i) z += Math.exp(s[i * n2 + j] / TEMPERATURE - max);
            double logZ = max + Math.log(z);
            loss += logZ - s[i * n2 + pos] / TEMPERATURE;
            if (g != null) {
                for (int j = 0; j < n2; j++)
                    if (j != i) g[i * n2 + j] = Math.exp(s[i * n2 + j] / TEMPERATURE - logZ) * scale;
                g[i * n2 + pos] -= scale;
            }
        }
        if (grad != null) {
            // only the prediction rows (k < B) need dL/dR_k: A_kj = (G_kj + G_jk) / den_kj, dR_k = A_k R - (sum_j A_kj dots_kj / sq_k) R_k
            float[] a = new float[rows * n2];
            double[] diag = new double[rows];
            for (int i = 0; i < rows; i++) {
                double d = 0;
                for (int j = 0; j < n2; j++) {
                    double sym = g[i * n2 + j] + g[j * n2 + i];
                    a[i * n2 + j] = (float) (sym / den[i * n2 + j]);
                    d += sym * s[i * n2 + j];
                }
                diag[i] = d / sq[i];
            }
            float[] dr = new float[rows * dim];
            k.gemm(false, false, rows, dim, n2, a, n2, r, dim, 0f, dr, dim);
            for (int i = 0; i < rows; i++) {
                int o = i * dim;
                double dot = 0;
                for (int c = 0; c < dim; c++) {
                    dr[o + c] -= (float) (diag[i] * r[o + c]);
                    dot += (double) r[o + c] * dr[o + c];
                }
                double n = pNorm[i];
                for (int c = 0; c < dim; c++)
                    grad[o + c] = n > Translator.NORM_EPS ? (float) ((dr[o + c] - r[o + c] * dot) / n) : (float) (dr[o + c] / Translator.NORM_EPS);
            }
        }
        return loss / n2;
    }
}
