package org.synesthesia.kernel;

/**
 * Multi-head scaled dot-product attention over token-major rows, as Linear projections produce them:
 * q [lq, heads*d], k and v [lk, heads*d] (any row stride, so a KV cache of capacity T with rows appended in
 * place is used as is with {@code lk} = its current length), o [lq, heads*d].
 *
 * <p>{@code o_i = sum_j softmax_j(scale * q_i . k_j) v_j}; with {@code causal}, query i sees keys
 * {@code j <= i + (lk - lq)} (the new queries are the last lq positions).
 *
 * <p>Runs the Vector API kernel ({@code AttentionVector}: flash-style tiles with an online softmax, parallel over
 * heads and query tiles; a row-at-a-time path for a few queries) when available, else {@link AttentionScalar}.
 */
public final class Attention {
    private Attention() {}

    public static void sdpa(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                            float[] o, int oOff, int ldo, int lq, int lk, int heads, int d, float scale, boolean causal) {
        if (Simd.available()) AttentionVector.sdpa(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, causal);
        else AttentionScalar.sdpa(q, qOff, ldq, k, kOff, ldk, v, vOff, ldv, o, oOff, ldo, lq, lk, heads, d, scale, causal);
    }

    /** Contiguous form: q [lq, heads*d], k, v [lk, heads*d]; returns o [lq, heads*d]; scale 1/sqrt(d). */
    public static float[] sdpa(float[] q, float[] k, float[] v, int lq, int lk, int heads, int d, boolean causal) {
        int w = heads * d;
        float[] o = new float[lq * w];
        sdpa(q, 0, w, k, 0, w, v, 0, w, o, 0, w, lq, lk, heads, d, (float) (1 / Math.sqrt(d)), causal);
        return o;
    }
}
