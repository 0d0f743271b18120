package org.synesthesia.kernel;

/**
 * Plain scaled dot-product attention, the reference for {@link Attention}: for each head h and query i,
 * {@code o_i = sum_j softmax_j(scale * q_i . k_j) v_j} over keys j (j <= i + lk - lq when causal).
 * Row i of head h of q is {@code q[qOff + i*ldq + h*d .. +d)}; likewise k, v, o.
 */
public final class AttentionScalar {
    private AttentionScalar() {}

    public static void sdpa(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                            float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal) {
        float[] s = new float[lk];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < lq; i++) {
                int last = causal ? Math.min(lk - 1, i + lk - lq) : lk - 1;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    float acc = 0;
                    for (int c = 0; c < d; c++) acc += q[qOff + i * ldq + h * d + c] * k[kOff + j * ldk + h * d + c];
                    s[j] = acc * scale;
                    max = Math.max(max, s[j]);
                }
                float sum = 0;
                for (int j = 0; j <= last; j++) {
                    s[j] = (float) Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int c = 0; c < d; c++) {
                    float acc = 0;
                    for (int j = 0; j <= last; j++) acc += s[j] * v[vOff + j * ldv + h * d + c];
                    o[oOff + i * ldo + h * d + c] = last < 0 ? 0 : acc / sum;
                }
            }
    }
}
