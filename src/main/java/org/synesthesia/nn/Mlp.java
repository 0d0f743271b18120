package org.synesthesia.nn;

/**
 * A transformer's feed-forward block {@code y = fc2(act(fc1(x)))} on rows [rows, in] (openai's
 * {@code Sequential(Linear, GELU, Linear)}, transformers' {@code CLIPMLP}, BERT's intermediate/output dense pair).
 */
public record Mlp(Linear fc1, Activation act, Linear fc2) {
    /**
     * Capture names: the block's output, and fc1's output, the activation's and fc2's (each null when the
     * reference has no such module name).
     */
    public record Names(String module, String fc1, String act, String fc2) {
        /** These names below {@code prefix} (an empty name is the prefix itself). */
        public Names under(String prefix) {
            return new Names(join(prefix, module), join(prefix, fc1), join(prefix, act), join(prefix, fc2));
        }
    }

    public Mlp {
        if (fc2.in() != fc1.out()) throw new IllegalArgumentException("MLP fc1 gives " + fc1.out() + " features, fc2 takes " + fc2.in());
    }

    /** Width of the hidden layer. */
    public int hidden() {
        return fc1.out();
    }

    /**
     * {@code y[rows, out] = fc2(act(fc1(x[rows, in])))} for {@code batch * T} rows (shape [batch, T, width] in
     * captures); {@code hidden} holds at least rows x {@link #hidden()} values.
     */
    public void forward(float[] x, int batch, int T, float[] hidden, float[] y, Tracer tracer, Names names) {
        int rows = batch * T, f = hidden();
        fc1.forward(x, rows, hidden);
        Capture.rows(tracer, names.fc1(), hidden, 0, batch, T, f);
        act.applyParallel(hidden, rows * f);
        Capture.rows(tracer, names.act(), hidden, 0, batch, T, f);
        fc2.forward(hidden, rows, y);
        Capture.rows(tracer, names.fc2(), y, 0, batch, T, fc2.out());
        Capture.rows(tracer, names.module(), y, 0, batch, T, fc2.out());
    }

    /** {@code prefix.name}; an empty name is the prefix itself; null stays null. */
    static String join(String prefix, String name) {
        if (name == null) return null;
        if (name.isEmpty()) return prefix;
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
