package org.synesthesia.diffusion.vae;

import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The VAE mid-block self-attention (diffusers {@code Attention} with a GroupNorm, one head of C channels,
 * residual connection): over the H*W positions as tokens t [HW, C] of {@code group_norm(x)},
 * {@code q = to_q(t), k = to_k(t), v = to_v(t)}, {@code o = softmax(q k^T / sqrt(C)) v},
 * {@code y = x + to_out.0(o)} reshaped back to [N, C, H, W]. Projection weights are Linear [C, C] (diffusers)
 * or 1x1 convolutions [C, C, 1, 1] (LDM q/k/v/proj_out); both are the same matrix.
 */
final class VaeAttention {
    final String name;
    final int channels;
    final VaeGroupNorm norm;
    final WeightMatrix wq, wk, wv, wo;
    final float[] bq, bk, bv, bo;

    private VaeAttention(String name, int channels, VaeGroupNorm norm, WeightMatrix[] w, float[][] b) {
        this.name = name;
        this.channels = channels;
        this.norm = norm;
        this.wq = w[0];
        this.wk = w[1];
        this.wv = w[2];
        this.wo = w[3];
        this.bq = b[0];
        this.bk = b[1];
        this.bv = b[2];
        this.bo = b[3];
    }

    static VaeAttention load(VaeWeights w, String name, int channels, int groups, float eps) {
        String[] parts = {"to_q", "to_k", "to_v", "to_out.0"};
        WeightMatrix[] m = new WeightMatrix[4];
        float[][] b = new float[4][];
        for (int i = 0; i < 4; i++) {
            StoredTensor t = w.get(name + "." + parts[i] + ".weight");
            long[] s = t.shape();
            boolean ok = s.length >= 2 && s[0] == channels && s[1] == channels;
            for (int d = 2; d < s.length; d++) ok &= s[d] == 1;
            if (!ok) throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString()
                    + ", expected [" + channels + ", " + channels + "] or [" + channels + ", " + channels + ", 1, 1]");
            m[i] = WeightMatrix.of(t);
            b[i] = w.vector(name + "." + parts[i] + ".bias", channels);
        }
        return new VaeAttention(name, channels, VaeGroupNorm.load(w, name + ".group_norm", channels, groups, eps), m, b);
    }

    /** x [N, C, H, W] -> [N, C, H, W]. */
    Tensor forward(Tensor x, Tracer tracer) {
        int N = x.dim(0), C = channels, S = x.dim(2) * x.dim(3);
        if (x.dim(1) != C) throw new IllegalArgumentException(name + ": input has " + x.dim(1) + " channels, expected " + C);
        Tensor normed = norm.apply(x);
        float[] out = x.toArray();
        float[] tokens = new float[S * C];
        for (int n = 0; n < N; n++) {
            // tokens[s, c] = normed[n, c, s]
            float[] nd = normed.data();
            int base = n * C * S;
            for (int c = 0; c < C; c++)
                for (int s = 0; s < S; s++) tokens[s * C + c] = nd[base + c * S + s];
            float[] q = Gemm.linear(tokens, S, wq, bq);
            float[] k = Gemm.linear(tokens, S, wk, bk);
            float[] v = Gemm.linear(tokens, S, wv, bv);
            float[] o = Attention.sdpa(q, k, v, S, S, 1, C, false);
            q = k = v = null;
            float[] p = Gemm.linear(o, S, wo, bo);
            for (int c = 0; c < C; c++)
                for (int s = 0; s < S; s++) out[base + c * S + s] += p[s * C + c];
        }
        Tensor y = Tensor.of(out, x.shape());
        tracer.capture(name, y);
        return y;
    }
}
