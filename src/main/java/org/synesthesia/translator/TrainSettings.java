package org.synesthesia.translator;

import org.synesthesia.util.SynesthesiaException;

/**
 * How a translator is trained: the original scripts' hidden width (256 or 512; any positive width works), loss,
 * 50 epochs, batch 64, Adam lr 1e-3; {@code seed} drives the init, the validation split and the shuffles;
 * {@code patience} &gt; 0 stops after that many epochs without a better validation loss and keeps the best
 * weights (0: train all epochs, keep the last); {@code dropout} p after each ReLU while training (0, the default,
 * as the Audiocaps scripts; the WIT+Audiocaps ones used 0.5).
 */
public record TrainSettings(int hidden, Loss loss, int epochs, int batch, double lr, long seed, int patience, float dropout) {
    public TrainSettings {
        if (hidden <= 0) throw new SynesthesiaException("hidden width must be positive, not " + hidden);
        if (epochs <= 0) throw new SynesthesiaException("epochs must be positive, not " + epochs);
        if (batch <= 0) throw new SynesthesiaException("batch must be positive, not " + batch);
        if (loss == Loss.CONTRASTIVE && batch < 2) throw new SynesthesiaException("the contrastive loss needs batches of at least 2 pairs");
        if (!(lr > 0) || Double.isInfinite(lr)) throw new SynesthesiaException("lr must be a positive number, not " + lr);
        if (patience < 0) throw new SynesthesiaException("patience must be 0 (off) or positive, not " + patience);
        if (!(dropout >= 0 && dropout < 1)) throw new SynesthesiaException("dropout must be in [0, 1), not " + dropout);
    }

    /** The original scripts' settings for a width and a loss. */
    public static TrainSettings original(int hidden, Loss loss, long seed) {
        return new TrainSettings(hidden, loss, 50, 64, 1e-3, seed, 0, 0f);
    }

    public TrainSettings withHiddenAndLoss(int h, Loss l) {
        return new TrainSettings(h, l, epochs, batch, lr, seed, patience, dropout);
    }
}
