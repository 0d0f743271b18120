package org.synesthesia.translator;

import java.util.SplittableRandom;

/**
 * One optimisation step of the original scripts' loop on a batch: forward (train mode), loss, backward, Adam step
 * (zero_grad is implicit: gradients are fresh arrays each step).
 */
public final class TrainingStep {
    private final Translator translator;
    private final Loss loss;
    private final Adam adam;
    private final float dropout;
    private final SplittableRandom dropoutRandom;
    private final Kernels kernels;

    public TrainingStep(Translator translator, Loss loss, Adam.Settings adam, float dropout, SplittableRandom dropoutRandom, Kernels kernels) {
        this.translator = translator;
        this.loss = loss;
        this.adam = new Adam(translator.parameters(), adam);
        this.dropout = dropout;
        this.dropoutRandom = dropoutRandom;
        this.kernels = kernels;
    }

    /** Trains on {@code rows} pairs (clip (rows, in), clap (rows, out)); returns the loss before the update. */
    public double run(float[] clip, float[] clap, int rows) {
        Translator.Activations a = translator.forward(clip, rows, kernels, dropout, dropoutRandom);
        float[] dy = new float[rows * translator.out()];
        double value = loss.compute(a.y, clap, rows, translator.out(), dy, kernels);
        adam.step(translator.backward(a, dy, kernels));
        return value;
    }

    /** Multiply-adds x 2 of one step on {@code rows} pairs: forward, backward (no input gradient for fc1), and the contrastive similarity products. */
    public static double flops(int in, int hidden, int out, int rows, Loss loss) {
        double fwd = 2.0 * rows * ((double) in * hidden + (double) hidden * hidden + (double) hidden * out);
        double bwd = 2.0 * rows * ((double) in * hidden + 2.0 * hidden * hidden + 2.0 * hidden * out);
        double extra = loss == Loss.CONTRASTIVE ? 2.0 * (2.0 * rows) * (2.0 * rows) * out + 2.0 * rows * (2.0 * rows) * out : 0;
        return fwd + bwd + extra;
    }
}
