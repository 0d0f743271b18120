package org.synesthesia.nn;

import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.Parallel;

/**
 * Multi-head attention with q, k, v and output projections (openai's {@code MultiHeadAttention}, transformers'
 * {@code CLIPAttention}, BERT's self-attention with its output dense) on token-major rows:
 * <pre>
 * q = query(x), k = key(c), v = value(c)          c = x (self-attention) or a context
 * o_h = softmax(q_h k_h^T / sqrt(hd) [+ causal mask]) v_h    per head h, hd = width / heads
 * y = out(o)
 * </pre>
 * openai scales q and k each by {@code hd^-0.25}; one {@code 1/sqrt(hd)} on the product is the same up to
 * rounding. Causal: query i of lq sees keys {@code j <= i + (lk - lq)} (the queries are the last lq positions).
 * The pieces ({@link #attend}) are public so a decoder can keep keys and values in a cache.
 */
public record MultiHeadAttention(Linear query, Linear key, Linear value, Linear out, int heads) {
    /**
     * Capture names: the module's output (after the out projection), the q, k, v projections, the attention
     * before the out projection ({@code core}) and the out projection; each may be null.
     */
    public record Names(String module, String query, String key, String value, String core, String out) {
        /** These names below {@code prefix} (an empty name is the prefix itself). */
        public Names under(String prefix) {
            return new Names(Mlp.join(prefix, module), Mlp.join(prefix, query), Mlp.join(prefix, key), Mlp.join(prefix, value),
                    Mlp.join(prefix, core), Mlp.join(prefix, out));
        }
    }

    public MultiHeadAttention {
        int w = query.out();
        if (heads < 1 || w % heads != 0) throw new IllegalArgumentException("attention width " + w + " does not split into " + heads + " heads");
        if (key.out() != w || value.out() != w || out.in() != w)
            throw new IllegalArgumentException("attention projections of widths q " + w + ", k " + key.out() + ", v " + value.out() + ", out " + out.in());
    }

    /** Width of q, k, v (heads x head width). */
    public int width() {
        return query.out();
    }

    public int headDim() {
        return width() / heads;
    }

    /**
     * Self-attention of {@code batch} sequences of T rows each: x [batch*T, in] -> y [batch*T, out]; sequence b is
     * rows {@code [b*T, (b+1)*T)} and attends to itself only. q, k, v, att are scratch of batch*T x width.
     */
    public void forward(float[] x, int batch, int T, boolean causal, float[] q, float[] k, float[] v, float[] att, float[] y,
                        Tracer tracer, Names names) {
        forward(x, batch, T, causal, null, q, k, v, att, y, tracer, names);
    }

    /**
     * As above, with a key padding mask when {@code keyMask} is not null (then not causal): query rows of sequence b
     * attend only to its keys t with {@code keyMask[b*T + t]} (see {@link #attend(float[], float[], float[], float[], int, int, boolean[])}).
     */
    public void forward(float[] x, int batch, int T, boolean causal, boolean[] keyMask, float[] q, float[] k, float[] v, float[] att,
                        float[] y, Tracer tracer, Names names) {
        int rows = batch * T, w = width();
        query.forward(x, rows, q);
        key.forward(x, rows, k);
        value.forward(x, rows, v);
        Capture.rows(tracer, names.query(), q, 0, batch, T, w);
        Capture.rows(tracer, names.key(), k, 0, batch, T, w);
        Capture.rows(tracer, names.value(), v, 0, batch, T, w);
        if (keyMask == null) attend(q, k, v, att, batch, T, causal);
        else if (causal) throw new IllegalArgumentException("a key padding mask with causal attention");
        else attend(q, k, v, att, batch, T, keyMask);
        Capture.rows(tracer, names.core(), att, 0, batch, T, w);
        out.forward(att, rows, y);
        Capture.rows(tracer, names.out(), y, 0, batch, T, out.out());
        Capture.rows(tracer, names.module(), y, 0, batch, T, out.out());
    }

    /**
     * Attention of one sequence's lq queries x [lq, in] over a context c [lk, in_c] (no mask): y [lq, out].
     * q, att hold lq x width values, k, v lk x width.
     */
    public void forward(float[] x, int lq, float[] context, int lk, float[] q, float[] k, float[] v, float[] att, float[] y,
                        Tracer tracer, Names names) {
        int w = width();
        query.forward(x, lq, q);
        key.forward(context, lk, k);
        value.forward(context, lk, v);
        Capture.rows(tracer, names.query(), q, 0, 1, lq, w);
        Capture.rows(tracer, names.key(), k, 0, 1, lk, w);
        Capture.rows(tracer, names.value(), v, 0, 1, lk, w);
        attend(q, 0, k, v, att, lq, lk, false);
        Capture.rows(tracer, names.core(), att, 0, 1, lq, w);
        out.forward(att, lq, y);
        Capture.rows(tracer, names.out(), y, 0, 1, lq, out.out());
        Capture.rows(tracer, names.module(), y, 0, 1, lq, out.out());
    }

    /**
     * {@code o = softmax(q k^T / sqrt(hd) [+ causal]) v} for one sequence: lq query rows of q starting at element
     * {@code qOff} (o written at the same rows), keys and values rows [0, lk) of k and v (a KV cache of any
     * capacity). Queries are split over {@link Parallel} in chunks; a causal chunk ending at query {@code to}
     * needs only the keys {@code lk - (lq - to)}.
     */
    public void attend(float[] q, int qOff, float[] k, float[] v, float[] o, int lq, int lk, boolean causal) {
        int w = width(), hd = headDim();
        float scale = (float) (1 / Math.sqrt(hd));
        Parallel.forRange(lq, Capture.QUERY_GRAIN, (from, to) -> Attention.sdpa(q, qOff + from * w, w, k, 0, w, v, 0, w, o, qOff + from * w, w,
                to - from, causal ? lk - (lq - to) : lk, heads, hd, scale, causal));
    }

    /**
     * {@code o = softmax(q k^T / sqrt(hd) [+ causal]) v} within each of {@code batch} sequences of T rows
     * (q, k, v, o [batch*T, width]). Rows are split over {@link Parallel} in chunks, a chunk cut where a sequence
     * ends; a causal chunk of queries [t0, t1) of a sequence needs only its keys [0, t1).
     */
    public void attend(float[] q, float[] k, float[] v, float[] o, int batch, int T, boolean causal) {
        int w = width(), hd = headDim();
        float scale = (float) (1 / Math.sqrt(hd));
        Parallel.forRange(batch * T, Capture.QUERY_GRAIN, (from, to) -> {
            for (int r = from; r < to; ) {
                int b = r / T, end = Math.min(to, (b + 1) * T), t0 = r - b * T, t1 = end - b * T;
                int base = b * T * w;
                Attention.sdpa(q, r * w, w, k, base, w, v, base, w, o, r * w, w, t1 - t0, causal ? t1 : T, heads, hd, scale, causal);
                r = end;
            }
        });
    }

    /**
     * {@code o = softmax(q k^T / sqrt(hd) + m) v} within each of {@code batch} sequences of T rows, with the key
     * padding mask {@code m_j = 0} where {@code keyMask[b*T + j]}, else very negative (transformers' additive
     * {@code (1 - mask) * finfo.min}, whose masked keys get weight exactly 0): each sequence attends to its unmasked
     * keys only, every query row included. A mask that keeps a prefix of keys is used as a key count; any other is
     * gathered into a compact copy of that sequence's keys and values. A sequence needs at least one unmasked key.
     */
    public void attend(float[] q, float[] k, float[] v, float[] o, int batch, int T, boolean[] keyMask) {
        if (keyMask.length != batch * T) throw new IllegalArgumentException("key mask of " + keyMask.length + " for " + batch + " x " + T);
        int w = width(), hd = headDim();
        float scale = (float) (1 / Math.sqrt(hd));
        float[][] ks = new float[batch][], vs = new float[batch][];
        int[] off = new int[batch], lk = new int[batch];
        for (int b = 0; b < batch; b++) {
            int n = 0, prefix = 0;
            for (int t = 0; t < T; t++) if (keyMask[b * T + t]) n++;
            while (prefix < T && keyMask[b * T + prefix]) prefix++;
            if (n == 0) throw new IllegalArgumentException("sequence " + b + " has no unmasked key");
            lk[b] = n;
            if (prefix == n) {
                ks[b] = k;
                vs[b] = v;
                off[b] = b * T * w;
            } else {
                ks[b] = new float[n * w];
                vs[b] = new float[n * w];
                for (int t = 0, j = 0; t < T; t++)
                    if (keyMask[b * T + t]) {
                        System.arraycopy(k, (b * T + t) * w, ks[b], j * w, w);
                        System.arraycopy(v, (b * T + t) * w, vs[b], j * w, w);
                        j++;
                    }
            }
        }
        Parallel.forRange(batch * T, Capture.QUERY_GRAIN, (from, to) -> {
            for (int r = from; r < to; ) {
                int b = r / T, end = Math.min(to, (b + 1) * T);
                Attention.sdpa(q, r * w, w, ks[b], off[b], w, vs[b], off[b], w, o, r * w, w, end - r, lk[b], heads, hd, scale, false);
                r = end;
            }
        });
    }
}
