package org.synesthesia.translator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.synesthesia.util.SynesthesiaException;

/**
 * Trains a translator as the original scripts do: Adam, mini-batches of a fresh shuffle each epoch, the training
 * loss of each epoch (mean of its batch losses) and a validation loss after it.
 *
 * <p>Randomness, all from the seed: the init from {@code SplittableRandom(seed)} ({@link Translator#init}), the
 * validation split from {@code SplittableRandom(seed + 1)} ({@link #split}), one Fisher-Yates permutation per epoch
 * from one {@code SplittableRandom(seed + 2)}, dropout masks from {@code SplittableRandom(seed + 3)}. The same seed
 * and data give the same weights on the same machine and thread count.
 *
 * <p>Batches: the last batch of an epoch holds the remainder. MSE and cosine train on it as it is (DataLoader's
 * default); the contrastive loss skips it, as traductorCL.py skipped every batch not of size 64 (the number skipped
 * is reported), so it needs at least {@code batch} training pairs.
 *
 * <p>Validation loss: for MSE and cosine, the mean over all validation pairs; for the contrastive loss, the mean
 * over the validation set's full batches (in order), or one batch of all of it when it holds fewer than
 * {@code batch} pairs (then its value is not on the same scale as the training loss: NT-Xent grows with the batch).
 */
public final class Trainer {
    private Trainer() {}

    /** Per-epoch reports for progress displays. */
    public interface Listener {
        default void batch(int epoch, int done, int total) {}

        default void epoch(Epoch e) {}
    }

    /** One epoch's results; {@code valLoss} is NaN without a validation set. */
    public record Epoch(int epoch, int epochs, double trainLoss, double valLoss, int batches, int skipped, double seconds, boolean best) {}

    /**
     * The outcome: the translator (the best validation epoch's weights when early stopping was on, else the last),
     * the loss curves, the epoch whose weights were kept (1-based), the validation metrics (null without a
     * validation set), the time, and whether training stopped early.
     */
    public record Result(Translator translator, List<Double> trainLosses, List<Double> valLosses, int keptEpoch, int bestEpoch,
                         Metrics metrics, double seconds, long pairsTrained, int skippedBatches, boolean stoppedEarly) {
        public double pairsPerSecond() { return pairsTrained / seconds; }

        public double bestValLoss() {
            return bestEpoch > 0 ? valLosses.get(bestEpoch - 1) : Double.NaN;
        }
    }

    /**
     * Splits {@code all} into (train, validation), the validation set being {@code round(fraction N)} pairs chosen
     * by a Fisher-Yates shuffle from {@code SplittableRandom(seed + 1)}; both keep the original order.
     */
    public static EmbeddingPairs[] split(EmbeddingPairs all, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new SynesthesiaException("the validation split must be between 0 and 1, not " + fraction);
        int n = all.count(), nv = (int) Math.round(fraction * n);
        if (nv < 1 || nv >= n) throw new SynesthesiaException("a validation split of " + fraction + " of " + n + " pairs leaves "
                + nv + " for validation and " + (n - nv) + " for training; give more pairs or another split");
        int[] perm = permutation(n, new SplittableRandom(seed + 1));
        boolean[] isVal = new boolean[n];
        for (int i = 0; i < nv; i++) isVal[perm[i]] = true;
        int[] tr = new int[n - nv], va = new int[nv];
        for (int i = 0, a = 0, b = 0; i < n; i++) {
            if (isVal[i]) va[b++] = i;
            else tr[a++] = i;
        }
        return new EmbeddingPairs[] {all.select(tr), all.select(va)};
    }

    static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Trains on {@code train}, validating on {@code val} (may be null: no validation, no early stopping, no metrics). */
    public static Result train(EmbeddingPairs train, EmbeddingPairs val, TrainSettings s, Listener listener) {
        int in = train.clipDim(), out = train.clapDim(), n = train.count(), bs = s.batch();
        if (val != null && (val.clipDim() != in || val.clapDim() != out))
            throw new SynesthesiaException("validation pairs are " + val.clipDim() + "/" + val.clapDim() + " wide (CLIP/CLAP), training pairs " + in + "/" + out);
        boolean contrastive = s.loss() == Loss.CONTRASTIVE;
        if (n == 0) throw new SynesthesiaException("no training pairs");
        if (contrastive && n < bs)
            throw new SynesthesiaException("the contrastive loss trains on full batches only (as traductorCL.py): " + n
                    + " training pairs are fewer than one batch of " + bs);
        if (val != null && contrastive && val.count() < 2) throw new SynesthesiaException("the contrastive loss needs at least 2 validation pairs");
        Translator t = Translator.init(in, s.hidden(), out, s.seed());
        TrainingStep step = new TrainingStep(t, s.loss(), Adam.Settings.defaults(s.lr()), s.dropout(), new SplittableRandom(s.seed() + 3), Kernels.FAST);
        SplittableRandom shuffle = new SplittableRandom(s.seed() + 2);
        int batches = contrastive ? n / bs : (n + bs - 1) / bs;
        int skippedPerEpoch = contrastive && n % bs != 0 ? 1 : 0;
        List<Double> trainLosses = new ArrayList<>(), valLosses = new ArrayList<>();
        Translator best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0, since = 0, skipped = 0;
        long pairs = 0;
        boolean early = false;
        long t0 = System.nanoTime();
        float[] x = new float[bs * in], y = new float[bs * out];
        for (int e = 1; e <= s.epochs(); e++) {
            long e0 = System.nanoTime();
            int[] perm = permutation(n, shuffle);
            double sum = 0;
            for (int b = 0; b < batches; b++) {
                int rows = Math.min(bs, n - b * bs);
                for (int i = 0; i < rows; i++) {
                    int r = perm[b * bs + i];
                    System.arraycopy(train.clip(), r * in, x, i * in, in);
                    System.arraycopy(train.clap(), r * out, y, i * out, out);
                }
                float[] xb = rows == bs ? x : java.util.Arrays.copyOf(x, rows * in), yb = rows == bs ? y : java.util.Arrays.copyOf(y, rows * out);
                double l = step.run(xb, yb, rows);
                if (!Double.isFinite(l)) throw new SynesthesiaException("the training loss became " + l + " in epoch " + e + " (try a lower --lr)");
                sum += l;
                pairs += rows;
                listener.batch(e, b + 1, batches);
            }
            skipped += skippedPerEpoch;
            double trainLoss = sum / batches;
            double valLoss = val == null ? Double.NaN : evaluate(t, val, s.loss(), bs);
            trainLosses.add(trainLoss);
            valLosses.add(valLoss);
            boolean improved = val != null && valLoss < bestLoss;
            if (improved) {
                bestLoss = valLoss;
                bestEpoch = e;
                since = 0;
                if (s.patience() > 0) best = t.copy();
            } else {
                since++;
            }
            listener.epoch(new Epoch(e, s.epochs(), trainLoss, valLoss, batches, skippedPerEpoch, (System.nanoTime() - e0) / 1e9, improved));
            if (s.patience() > 0 && val != null && since >= s.patience()) {
                early = e < s.epochs();
                break;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int kept = trainLosses.size();
        if (best != null) {
            t.copyFrom(best);
            kept = bestEpoch;
        }
        Metrics m = val == null ? null : Metrics.of(t, val);
        return new Result(t, List.copyOf(trainLosses), List.copyOf(valLosses), kept, bestEpoch, m, seconds, pairs, skipped, early);
    }

    /** The validation loss of {@code t} on {@code set} (eval mode: no dropout), as described in the class comment. */
    public static double evaluate(Translator t, EmbeddingPairs set, Loss loss, int batch) {
        int n = set.count(), in = set.clipDim(), out = set.clapDim();
        if (loss == Loss.CONTRASTIVE) {
            int bs = n < batch ? n : batch, full = n / bs;
            double sum = 0;
            for (int b = 0; b < full; b++) {
                float[] x = java.util.Arrays.copyOfRange(set.clip(), b * bs * in, (b + 1) * bs * in);
                float[] y = java.util.Arrays.copyOfRange(set.clap(), b * bs * out, (b + 1) * bs * out);
                sum += loss.compute(t.forward(x, bs), y, bs, out, null, Kernels.FAST);
            }
            return sum / full;
        }
        double sum = 0;
        for (int r0 = 0; r0 < n; r0 += 1024) {
            int rows = Math.min(1024, n - r0);
            float[] x = java.util.Arrays.copyOfRange(set.clip(), r0 * in, (r0 + rows) * in);
            float[] y = java.util.Arrays.copyOfRange(set.clap(), r0 * out, (r0 + rows) * out);
            sum += loss.compute(t.forward(x, rows), y, rows, out, null, Kernels.FAST) * rows;
        }
        return sum / n;
    }
}
