package org.synesthesia.translator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The original work's study: for each dataset, a translator per loss (MSE, cosine, contrastive) and hidden width
 * (256, 512), 18 for its three datasets. Each is trained with the same settings and seed on the dataset's training
 * part and scored on its validation part; the folder receives {@code DATASET-LOSS-WIDTH.safetensors} and
 * {@code .png} (loss curve) for each, and the table as {@code grid.tsv} and {@code grid.md}.
 */
public final class Grid {
    private Grid() {}

    public static final int[] WIDTHS = {256, 512};

    /** A dataset: its name in the table and file names, and its (train, validation) parts. */
    public record Dataset(String name, EmbeddingPairs train, EmbeddingPairs val) {
        public Dataset {
            if (!name.matches("[A-Za-z0-9_.+-]+")) throw new SynesthesiaException("dataset name '" + name + "' may hold only letters, digits and _ . + -");
        }
    }

    /** One trained model's line of the table; {@code valLoss} is the loss of the kept weights. */
    public record Row(String dataset, Loss loss, int hidden, double valLoss, Metrics metrics, double seconds, int epochs, String model) {}

    /** Called before each model and with its training progress. */
    public interface Listener extends Trainer.Listener {
        default void model(int index, int total, String dataset, Loss loss, int hidden) {}

        default void done(Row row) {}
    }

    /** Trains every model, writing each as it finishes and the table (rewritten after each model) into {@code out}. */
    public static List<Row> run(List<Dataset> sets, TrainSettings base, Map<String, String> provenance, Path out, Listener listener) throws IOException {
        List<Row> rows = new ArrayList<>();
        int total = sets.size() * Loss.values().length * WIDTHS.length, index = 0;
        for (Dataset d : sets)
            for (Loss loss : Loss.values())
                for (int h : WIDTHS) {
                    listener.model(++index, total, d.name(), loss, h);
                    TrainSettings s = base.withHiddenAndLoss(h, loss);
                    Trainer.Result r = Trainer.train(d.train(), d.val(), s, listener);
                    String stem = d.name() + "-" + loss.id() + "-" + h;
                    Map<String, String> meta = new LinkedHashMap<>(provenance);
                    meta.put("dataset", d.name());
                    meta.putAll(metadata(s, r));
                    r.translator().save(out.resolve(stem + ".safetensors"), meta);
                    LossCurve.write(out.resolve(stem + ".png"), stem, r.trainLosses(), r.valLosses());
                    Row row = new Row(d.name(), loss, h, r.valLosses().get(r.keptEpoch() - 1), r.metrics(), r.seconds(), r.trainLosses().size(), stem + ".safetensors");
                    rows.add(row);
                    listener.done(row);
                    writeTables(out, rows);
                }
        return rows;
    }

    /** The metadata every trained translator carries: settings, epochs run and kept, validation metrics. */
    public static Map<String, String> metadata(TrainSettings s, Trainer.Result r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("hidden", Integer.toString(s.hidden()));
        m.put("loss", s.loss().id());
        m.put("epochs", Integer.toString(r.trainLosses().size()));
        m.put("epoch_kept", Integer.toString(r.keptEpoch()));
        m.put("batch", Integer.toString(s.batch()));
        m.put("lr", Double.toString(s.lr()));
        m.put("seed", Long.toString(s.seed()));
        m.put("dropout", Float.toString(s.dropout()));
        m.put("train_losses", Json.write(r.trainLosses()));
        if (r.metrics() != null) {
            m.put("val_losses", Json.write(r.valLosses()));
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("val_loss", r.valLosses().get(r.keptEpoch() - 1));
            metrics.put("val_pairs", r.metrics().count());
            metrics.put("mean_cosine", r.metrics().meanCosine());
            metrics.put("recall@1", r.metrics().recallAt1());
            metrics.put("recall@5", r.metrics().recallAt5());
            m.put("metrics", Json.write(metrics));
        }
        return m;
    }

    static void writeTables(Path out, List<Row> rows) throws IOException {
        StringBuilder tsv = new StringBuilder("dataset\tloss\twidth\tval_loss\tmean_cosine\trecall@1\trecall@5\tepochs\tseconds\tmodel\n");
        StringBuilder md = new StringBuilder("| dataset | loss | width | validation loss | mean cosine | R@1 | R@5 | epochs | training time | model |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Metrics m = r.metrics();
            tsv.append(String.format(Locale.ROOT, "%s\t%s\t%d\t%.6f\t%.6f\t%.4f\t%.4f\t%d\t%.2f\t%s%n", r.dataset(), r.loss().id(), r.hidden(), r.valLoss(),
                    m.meanCosine(), m.recallAt1(), m.recallAt5(), r.epochs(), r.seconds(), r.model()));
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.3f | %.3f | %d | %.1f s | %s |%n", r.dataset(), r.loss().id(), r.hidden(), r.valLoss(),
                    m.meanCosine(), m.recallAt1(), m.recallAt5(), r.epochs(), r.seconds(), r.model()));
        }
        byte[] a = tsv.toString().getBytes(StandardCharsets.UTF_8), b = md.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out.resolve("grid.tsv"), o -> o.write(a));
        AtomicFiles.write(out.resolve("grid.md"), o -> o.write(b));
    }
}
