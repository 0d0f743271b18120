package org.synesthesia.translator;

import org.synesthesia.kernel.AdamStep;

/**
 * {@code torch.optim.Adam} (no weight decay, no amsgrad), PyTorch's single-tensor update for each parameter p with
 * gradient g at step t = 1, 2, ...:
 * <pre>
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * The bias corrections are computed in double (as Python does) and applied in float32. m and v values that fall
 * below the smallest normal float (2^-126) are set to 0: an element whose gradient stays 0 (a dead ReLU unit) decays
 * into subnormal numbers, which cost the processor about 100 times a normal operation, and such values move the
 * update by less than lr * 1e-30 (m) or change its denominator by less than 1e-11 of eps (v).
 */
public final class Adam {
    public record Settings(double lr, double beta1, double beta2, double eps) {
        /** torch.optim.Adam's defaults with the original scripts' lr 1e-3. */
        public static Settings defaults(double lr) {
            return new Settings(lr, 0.9, 0.999, 1e-8);
        }
    }

    private final Settings s;
    private final float[][] params, m, v;
    private int step;

    public Adam(float[][] params, Settings settings) {
        this.params = params;
        this.s = settings;
        m = new float[params.length][];
        v = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            m[i] = new float[params[i].length];
            v[i] = new float[params[i].length];
        }
    }

    public int steps() { return step; }

    /** One update of every parameter with its gradient (same order and sizes). */
    public void step(float[][] grads) {
        step++;
        double bc1 = 1 - Math.pow(s.beta1(), step), bc2 = 1 - Math.pow(s.beta2(), step);
        float b1 = (float) s.beta1(), b2 = (float) s.beta2(), a1 = (float) (1 - s.beta1()), a2 = (float) (1 - s.beta2());
        float stepSize = (float) (s.lr() / bc1), bc2Sqrt = (float) Math.sqrt(bc2), eps = (float) s.eps();
        for (int i = 0; i < params.length; i++) {
            if (grads[i].length != params[i].length) throw new IllegalArgumentException("gradient " + i + " has " + grads[i].length + " values, parameter " + params[i].length);
            AdamStep.update(params[i], grads[i], m[i], v[i], params[i].length, b1, a1, b2, a2, stepSize, bc2Sqrt, eps);
        }
    }
}
