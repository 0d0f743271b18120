package org.synesthesia.translator;

import org.synesthesia.kernel.Gemm;

/**
 * Retrieval quality of a translator on a validation set of N pairs: the mean cosine between each prediction and its
 * own CLAP target, and recall@k: the share of predictions whose own target is among the k targets (of all N) with
 * the highest cosine to it (a tie with the true target counts in its favour).
 */
public record Metrics(int count, double meanCosine, double recallAt1, double recallAt5) {
    /** Rows scored per block of the N x N similarity matrix. */
    private static final int BLOCK = 64;

    public static Metrics of(Translator t, EmbeddingPairs set) {
        int n = set.count(), d = t.out();
        if (set.clapDim() != d) throw new IllegalArgumentException("targets are " + set.clapDim() + " wide, translator gives " + d);
        float[] pred = new float[n * d];
        for (int r0 = 0; r0 < n; r0 += 1024) {
            int rows = Math.min(1024, n - r0);
            float[] x = java.util.Arrays.copyOfRange(set.clip(), r0 * set.clipDim(), (r0 + rows) * set.clipDim());
            System.arraycopy(t.forward(x, rows), 0, pred, r0 * d, rows * d);
        }
        float[] targets = normalizedRows(set.clap(), n, d);
        double cosSum = 0;
        int hit1 = 0, hit5 = 0;
        float[] sims = new float[BLOCK * n];
        for (int r0 = 0; r0 < n; r0 += BLOCK) {
            int rows = Math.min(BLOCK, n - r0);
            Gemm.sgemm(false, true, rows, n, d, 1f, pred, r0 * d, d, targets, 0, d, 0f, sims, 0, n);
            for (int i = 0; i < rows; i++) {
                float own = sims[i * n + r0 + i];
                cosSum += own;
                int above = 0;
                for (int j = 0; j < n; j++) if (sims[i * n + j] > own) above++;
                if (above < 1) hit1++;
                if (above < 5) hit5++;
            }
        }
        return new Metrics(n, cosSum / n, hit1 / (double) n, hit5 / (double) n);
    }

    static float[] normalizedRows(float[] v, int rows, int d) {
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < d; c++) ss += (double) v[r * d + c] * v[r * d + c];
            float inv = (float) (1 / Math.max(Math.sqrt(ss), Translator.NORM_EPS));
            for (int c = 0; c < d; c++) out[r * d + c] = v[r * d + c] * inv;
        }
        return out;
    }
}
