package org.synesthesia.nn;

import org.synesthesia.kernel.Act;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;

/**
 * diffusers {@code FeedForward} with {@code activation_fn="geglu"} on rows [rows, dim], inner = mult*dim:
 * {@code h, g = split(net.0.proj(x), inner); y = net.2(h * gelu(g))} (net.1 is dropout; GELU exact).
 */
public final class FeedForward {
    /** Rows per chunk: bounds the GEGLU buffers ([chunk, 3*inner]) at any token count. */
    private static final int CHUNK = 1024;

    private final int dim, inner;
    private final WeightMatrix proj, out;
    private final float[] projB, outB;

    private FeedForward(int dim, int inner, WeightMatrix proj, float[] projB, WeightMatrix out, float[] outB) {
        this.dim = dim;
        this.inner = inner;
        this.proj = proj;
        this.projB = projB;
        this.out = out;
        this.outB = outB;
    }

    /** Reads net.0.proj (weight [2*inner, dim], bias), then net.2 (weight [dim, inner], bias). */
    public static FeedForward load(Weights w, String name, int dim, int inner) {
        WeightMatrix p = w.linear(name + ".net.0.proj.weight", 2 * inner, dim);
        float[] pb = w.vector(name + ".net.0.proj.bias", 2 * inner);
        WeightMatrix o = w.linear(name + ".net.2.weight", dim, inner);
        return new FeedForward(dim, inner, p, pb, o, w.vector(name + ".net.2.bias", dim));
    }

    /**
     * y = FeedForward(h) for rows [rows, dim], {@code CHUNK} rows at a time, written over {@code h} (each chunk's input
     * rows are consumed before its output rows are written); returns h.
     */
    public float[] forwardInPlace(float[] h, int rows) {
        int chunk = Math.min(rows, CHUNK);
        float[] p = new float[chunk * 2 * inner]; // hidden | gate per row
        float[] g = new float[chunk * inner];
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int m = Math.min(chunk, rows - r0);
            Gemm.linear(h, r0 * dim, dim, m, proj, projB, p, 0, 2 * inner);
            Parallel.forRange(m, Math.max(1, 4096 / inner), (from, to) -> {
                for (int r = from; r < to; r++) {
                    System.arraycopy(p, r * 2 * inner + inner, g, r * inner, inner);
                    Act.gelu(g, r * inner, inner);
                    for (int i = 0; i < inner; i++) g[r * inner + i] *= p[r * 2 * inner + i];
                }
            });
            Gemm.linear(g, 0, inner, m, out, outB, h, r0 * dim, dim);
        }
        return h;
    }
}
