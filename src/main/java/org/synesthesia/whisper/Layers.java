package org.synesthesia.whisper;

import java.util.Arrays;
import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Norm;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;

/**
 * The pieces of Whisper's {@code ResidualAttentionBlock} on token-major rows [rows, d] in caller-owned buffers,
 * over the kernel APIs. Row-independent work the kernels take as ranges (GELU, residual adds, attention
 * queries) is split over {@link Parallel}; nested calls from inside the pool run inline.
 */
final class Layers {
    /** PyTorch's LayerNorm default, which openai's {@code LayerNorm} keeps. */
    static final float LN_EPS = 1e-5f;
    /** Elements below which an elementwise op is not split over threads. */
    private static final int ELEMENT_GRAIN = 1 << 15;
    /** Queries per attention chunk at least. */
    private static final int QUERY_GRAIN = 16;

    private Layers() {}

    /** {@code y[rows, d] = LayerNorm(x[rows, d])} (rows starting at row {@code row0} of both). */
    static void layerNorm(float[] x, float[] y, int row0, int rows, int d, WhisperModel.Norm n) {
        Norm.layerNorm(x, row0 * d, y, row0 * d, rows, d, n.weight(), n.bias(), LN_EPS);
    }

    /** {@code y[rows, out] = x[rows, in] W^T + b}, contiguous rows. */
    static void linear(float[] x, int rows, WhisperModel.Linear l, float[] y) {
        Gemm.linear(x, 0, l.weight().cols(), rows, l.weight(), l.bias(), y, 0, l.weight().rows());
    }

    /** {@code y[yRow0.., out] = x[rows, in] W^T + b}: output rows written from row {@code yRow0} (KV cache appends). */
    static void linear(float[] x, int rows, WhisperModel.Linear l, float[] y, int yRow0) {
        int n = l.weight().rows();
        Gemm.linear(x, 0, l.weight().cols(), rows, l.weight(), l.bias(), y, yRow0 * n, n);
    }

    /** Exact GELU in place on {@code x[0, n)}. */
    static void gelu(float[] x, int n) {
        Parallel.forRange(n, ELEMENT_GRAIN, (from, to) -> Act.gelu(x, from, to - from));
    }

    /** {@code x[i] += y[i]} for i < n: the residual connection. */
    static void addInPlace(float[] x, float[] y, int n) {
        Parallel.forRange(n, ELEMENT_GRAIN * 4, (from, to) -> Ops.addInPlace(x, from, y, from, to - from));
    }

    /**
     * Multi-head attention {@code o = softmax(q k^T / sqrt(hd)) v} per head, q/o [lq, heads*hd] contiguous, k/v
     * [lk, heads*hd] rows (a KV cache of any capacity). openai scales q and k each by {@code hd^-0.25}; one
     * {@code 1/sqrt(hd)} on the product is the same up to rounding. Causal: the lq queries are the last lq
     * positions of lk. Queries are split into chunks; a chunk ending at query {@code to} needs only the keys
     * {@code lk - (lq - to)} (causal), so its key count shrinks with it.
     */
    static void attention(float[] q, float[] k, float[] v, float[] o, int lq, int lk, int heads, int hd, boolean causal) {
        attention(q, 0, k, v, o, lq, lk, heads, hd, causal);
    }

    /** {@link #attention} on the queries and outputs starting at element {@code qOff} of q and o. */
    static void attention(float[] q, int qOff, float[] k, float[] v, float[] o, int lq, int lk, int heads, int hd, boolean causal) {
        int w = heads * hd;
        float scale = (float) (1 / Math.sqrt(hd));
        Parallel.forRange(lq, QUERY_GRAIN, (from, to) -> Attention.sdpa(q, qOff + from * w, w, k, 0, w, v, 0, w, o, qOff + from * w, w,
                to - from, causal ? lk - (lq - to) : lk, heads, hd, scale, causal));
    }

    /** Reports rows of a buffer to the tracer as a tensor of {@code shape} (copied only if captured). */
    static void capture(Tracer tracer, String name, float[] data, int off, int... shape) {
        if (!tracer.wants(name)) return;
        int n = Math.toIntExact(Tensor.numel(shape));
        tracer.capture(name, Tensor.of(Arrays.copyOfRange(data, off, off + n), shape));
    }
}
