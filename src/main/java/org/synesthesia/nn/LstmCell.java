package org.synesthesia.nn;

import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;

/**
 * {@code torch.nn.LSTMCell(input, hidden)}: one step on a single vector,
 * {@code [i, f, g, o] = W_ih x + b_ih + W_hh h + b_hh} (gates in PyTorch's order, each {@code hidden} wide),
 * {@code c' = sigmoid(f) c + sigmoid(i) tanh(g)}, {@code h' = sigmoid(o) tanh(c')}. Weights in their stored type.
 *
 * @param weightIh [4 hidden, input]
 * @param weightHh [4 hidden, hidden]
 * @param bias     [4 hidden]: {@code b_ih + b_hh}
 */
public record LstmCell(WeightMatrix weightIh, WeightMatrix weightHh, float[] bias) {
    public LstmCell {
        int g = weightHh.rows();
        if (g % 4 != 0 || weightHh.cols() * 4 != g || weightIh.rows() != g || bias.length != g)
            throw new IllegalArgumentException("LSTMCell weight_ih [" + weightIh.rows() + ", " + weightIh.cols() + "], weight_hh ["
                    + weightHh.rows() + ", " + weightHh.cols() + "], bias [" + bias.length + "]");
    }

    /** {@code prefix.weight_ih} [4 hidden, input], {@code prefix.weight_hh} [4 hidden, hidden], {@code prefix.bias_ih/bias_hh} [4 hidden]. */
    public static LstmCell bind(Weights w, String prefix, int input, int hidden) {
        float[] b = w.vector(prefix + ".bias_ih", 4 * hidden);
        float[] bh = w.vector(prefix + ".bias_hh", 4 * hidden);
        for (int i = 0; i < b.length; i++) b[i] += bh[i];
        return new LstmCell(w.matrix(prefix + ".weight_ih", 4L * hidden, input), w.matrix(prefix + ".weight_hh", 4L * hidden, hidden), b);
    }

    public int input() { return weightIh.cols(); }

    public int hidden() { return weightHh.cols(); }

    /** One step: x [input]; h, c [hidden] are read and replaced by h', c'. */
    public void step(float[] x, float[] h, float[] c) {
        int n = hidden();
        float[] gates = Gemm.linear(x, 1, weightIh, bias);
        float[] hh = Gemm.linear(h, 1, weightHh, null);
        for (int j = 0; j < n; j++) {
            float i = sigmoid(gates[j] + hh[j]);
            float f = sigmoid(gates[n + j] + hh[n + j]);
            float g = (float) Math.tanh(gates[2 * n + j] + hh[2 * n + j]);
            float o = sigmoid(gates[3 * n + j] + hh[3 * n + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * (float) Math.tanh(c[j]);
        }
    }

    static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
