package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.Grid;
import org.synesthesia.translator.Loss;
import org.synesthesia.translator.LossCurve;
import org.synesthesia.translator.Metrics;
import org.synesthesia.translator.PairFiles;
import org.synesthesia.translator.TrainSettings;
import org.synesthesia.translator.Trainer;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia train-translator}: trains the CLIP-to-CLAP translator on pair shards or the original work's
 * per-sample text files (one model, or with {@code --grid} the original 18-model study), with per-epoch losses on
 * stderr, a loss-curve PNG and the validation metrics.
 */
public final class TrainTranslatorCommand implements Command {
    @Override
    public String name() {
        return "train-translator";
    }

    @Override
    public String summary() {
        return "train the CLIP-to-CLAP translator (one model, or the 18-model --grid) on embedding pairs";
    }

    @Override
    public Set<String> flags() {
        return Set.of("grid");
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia train-translator --pairs PATH... [--val PATH... | --val-split 0.1] --hidden 256|512
                           --loss mse|cosine|contrastive [--epochs 50] [--batch 64] [--lr 1e-3] [--seed 0] [--patience N]
                           [--dropout P] [--curve PNG] --out T.safetensors
                       synesthesia train-translator --grid (--dataset NAME=PATH[,PATH...])... [--val-split 0.1] [same options]
                           --out FOLDER

                Trains the original work's CLIptoCLAP (L2-normalise, Linear 512->h, ReLU, Linear h->h, ReLU, Linear h->512,
                L2-normalise) with Adam on (CLIP, CLAP) embedding pairs, shuffled each epoch with the seed.
                  --pairs PATH       a pair shard written by embed, a per-sample text file of the original work, or a folder
                                     of either; repeat for more
                  --val PATH         validation pairs (repeatable); otherwise --val-split of the pairs (default 0.1, chosen
                                     with the seed; 0 for none)
                  --hidden           hidden width (the original: 256 or 512)
                  --loss             mse (traductorEMC.py), cosine (traductorcos.py, CosineEmbeddingLoss margin 1) or
                                     contrastive (traductorCL.py, SimCLR temperature 0.5; trains on full batches only,
                                     skipping an epoch's last partial batch as the original did)
                  --epochs, --batch, --lr   as the original: 50, 64, 1e-3
                  --seed N           init, validation split and shuffles (default 0)
                  --patience N       stop after N epochs without a better validation loss; keep the best weights
                                     (default: train all epochs, keep the last)
                  --dropout P        dropout after each ReLU while training (default 0, as the Audiocaps scripts; the
                                     WIT+Audiocaps ones used 0.5)
                  --curve PNG        the training and validation loss per epoch as a line plot (blue train, orange val)
                  --out PATH         the translator, safetensors under the PyTorch names (fc1.weight ... fc3.bias) with
                                     the settings, loss curves and metrics as metadata; with --grid, a folder
                  --grid             for each --dataset, all 3 losses x widths 256 and 512 (the original study: 18 models
                                     for 3 datasets); writes DATASET-LOSS-WIDTH.safetensors and .png for each, and the
                                     table (dataset, loss, width, validation loss, mean cosine, R@1, R@5, time) as
                                     grid.tsv and grid.md. Without --dataset, each --pairs PATH is a dataset named by
                                     its file name.
                At the end prints the validation metrics: mean cosine between prediction and target, and recall@1/@5 of
                the true CLAP embedding among all validation targets (cosine ranking).""";
    }

    @Override
    public int run(Args args) throws Exception {
        boolean grid = args.flag("grid");
        List<String> pairs = args.all("pairs"), valPaths = args.all("val"), datasets = args.all("dataset");
        boolean hasSplit = args.has("val-split");
        double split = args.getDouble("val-split", 0.1);
        int epochs = args.getInt("epochs", 50), batch = args.getInt("batch", 64), patience = args.getInt("patience", 0);
        double lr = args.getDouble("lr", 1e-3), dropout = args.getDouble("dropout", 0);
        long seed = args.getLong("seed", 0);
        String hiddenArg = args.get("hidden", null), lossArg = args.get("loss", null);
        Path curve = args.path("curve");
        Path out = Path.of(args.require("out"));
        args.finish();
        if (!args.positionals().isEmpty()) throw new SynesthesiaException("train-translator: unexpected argument '" + args.positionals().get(0) + "' (pairs go after --pairs)");
        if (!valPaths.isEmpty() && hasSplit) throw new SynesthesiaException("train-translator: give --val or --val-split, not both");
        if (split < 0 || split >= 1) throw new SynesthesiaException("train-translator: --val-split must be in [0, 1), not " + split);
        if (patience > 0 && valPaths.isEmpty() && split == 0) throw new SynesthesiaException("train-translator: --patience needs validation pairs (--val or --val-split)");
        if (grid) return runGrid(pairs, datasets, valPaths, split, epochs, batch, lr, seed, patience, (float) dropout, hiddenArg, lossArg, curve, out);
        if (!datasets.isEmpty()) throw new SynesthesiaException("train-translator: --dataset is for --grid; use --pairs");
        if (pairs.isEmpty()) throw new SynesthesiaException("train-translator: --pairs is required (see synesthesia train-translator --help)");
        if (hiddenArg == null) throw new SynesthesiaException("train-translator: --hidden is required (256 or 512 in the original)");
        if (lossArg == null) throw new SynesthesiaException("train-translator: --loss is required (mse, cosine or contrastive)");
        int hidden = parseInt("hidden", hiddenArg);
        Loss loss = Loss.parse(lossArg);
        TrainSettings s = new TrainSettings(hidden, loss, epochs, batch, lr, seed, patience, (float) dropout);
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors"))
            throw new SynesthesiaException("train-translator: --out must end in .safetensors, not " + out);
        if (curve != null && !curve.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
            throw new SynesthesiaException("train-translator: --curve must end in .png, not " + curve);

        EmbeddingPairs all = PairFiles.readAll(paths(pairs));
        EmbeddingPairs train = all, val = null;
        if (!valPaths.isEmpty()) val = PairFiles.readAll(paths(valPaths));
        else if (split > 0) {
            EmbeddingPairs[] parts = Trainer.split(all, split, seed);
            train = parts[0];
            val = parts[1];
        }
        Progress.info(String.format(Locale.ROOT, "train-translator: %d training pairs, %s; %d/%d -> %d -> %d, %s loss, %d epochs of batch %d, lr %s, seed %d",
                train.count(), val == null ? "no validation" : val.count() + " validation pairs", train.clipDim(), train.clapDim(), hidden,
                train.clapDim(), loss.id(), epochs, batch, lr, seed));
        Trainer.Result r = Trainer.train(train, val, s, new EpochPrinter(epochs, ""));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dataset", String.join(",", pairs));
        if (!valPaths.isEmpty()) meta.put("validation", String.join(",", valPaths));
        else if (val != null) meta.put("validation", "split " + split + " with the seed");
        meta.putAll(Grid.metadata(s, r));
        r.translator().save(out, meta);
        if (curve != null) LossCurve.write(curve, out.getFileName().toString(), r.trainLosses(), r.valLosses());
        Progress.info(String.format(Locale.ROOT, "wrote %s (%d parameters; epoch %d of %d kept%s) in %.1f s, %.0f pairs/s%s", out, r.translator().parameterCount(),
                r.keptEpoch(), r.trainLosses().size(), r.stoppedEarly() ? ", stopped early" : "", r.seconds(), r.pairsPerSecond(),
                r.skippedBatches() > 0 ? "; " + r.skippedBatches() + " partial batches skipped (contrastive)" : ""));
        if (r.metrics() != null) printMetrics(r.valLosses().get(r.keptEpoch() - 1), r.metrics());
        return 0;
    }

    private int runGrid(List<String> pairs, List<String> datasets, List<String> valPaths, double split, int epochs, int batch, double lr, long seed,
                        int patience, float dropout, String hiddenArg, String lossArg, Path curve, Path out) throws Exception {
        if (hiddenArg != null || lossArg != null || curve != null)
            throw new SynesthesiaException("train-translator: --grid trains every loss and width and writes each curve; drop --hidden, --loss and --curve");
        if (!valPaths.isEmpty()) throw new SynesthesiaException("train-translator: --grid takes validation from each dataset with --val-split, not --val");
        if (split == 0) throw new SynesthesiaException("train-translator: --grid needs a validation split (--val-split > 0) to score the models");
        if (Files.exists(out) && !Files.isDirectory(out)) throw new SynesthesiaException("train-translator: --out " + out + " is a file; --grid writes a folder");
        Map<String, List<Path>> sets = new LinkedHashMap<>();
        for (String d : datasets) {
            int eq = d.indexOf('=');
            if (eq <= 0 || eq == d.length() - 1) throw new SynesthesiaException("train-translator: --dataset takes NAME=PATH[,PATH...], not '" + d + "'");
            String name = d.substring(0, eq);
            if (sets.containsKey(name)) throw new SynesthesiaException("train-translator: dataset '" + name + "' given twice");
            List<Path> ps = new ArrayList<>();
            for (String p : d.substring(eq + 1).split(",")) if (!p.isBlank()) ps.add(Path.of(p.trim()));
            sets.put(name, ps);
        }
        for (String p : pairs) {
            String name = Path.of(p).getFileName().toString().replaceAll("\\.(safetensors|txt)$", "").replaceAll("[^A-Za-z0-9_.+-]", "_");
            if (sets.containsKey(name)) throw new SynesthesiaException("train-translator: two datasets are named '" + name + "'; use --dataset NAME=PATH");
            sets.put(name, List.of(Path.of(p)));
        }
        if (sets.isEmpty()) throw new SynesthesiaException("train-translator: --grid needs datasets (--dataset NAME=PATH, or --pairs PATH each)");
        List<Grid.Dataset> ds = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : sets.entrySet()) {
            EmbeddingPairs all = PairFiles.readAll(e.getValue());
            EmbeddingPairs[] parts = Trainer.split(all, split, seed);
            ds.add(new Grid.Dataset(e.getKey(), parts[0], parts[1]));
            Progress.info(String.format(Locale.ROOT, "dataset %s: %d training, %d validation pairs", e.getKey(), parts[0].count(), parts[1].count()));
        }
        TrainSettings base = new TrainSettings(256, Loss.MSE, epochs, batch, lr, seed, patience, dropout);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("validation", "split " + split + " with the seed");
        EpochPrinter printer = new EpochPrinter(epochs, "");
        List<Grid.Row> rows = Grid.run(ds, base, provenance, out, new Grid.Listener() {
            @Override public void model(int index, int total, String dataset, Loss loss, int hidden) {
                printer.prefix = String.format(Locale.ROOT, "[%d/%d %s %s %d] ", index, total, dataset, loss.id(), hidden);
            }

            @Override public void batch(int epoch, int done, int total) { printer.batch(epoch, done, total); }

            @Override public void epoch(Trainer.Epoch e) { printer.epoch(e); }
        });
        Progress.info("wrote " + rows.size() + " translators, " + out.resolve("grid.tsv") + " and " + out.resolve("grid.md"));
        System.out.print(Files.readString(out.resolve("grid.md")));
        return 0;
    }

    private static void printMetrics(double valLoss, Metrics m) {
        System.out.printf(Locale.ROOT, "validation (%d pairs): loss %.6f, mean cosine %.4f, recall@1 %.4f, recall@5 %.4f%n", m.count(), valLoss,
                m.meanCosine(), m.recallAt1(), m.recallAt5());
    }

    private static List<Path> paths(List<String> s) {
        return s.stream().map(Path::of).toList();
    }

    private static int parseInt(String what, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SynesthesiaException("train-translator: --" + what + " must be an integer, not '" + v + "'");
        }
    }

    /**
     * One line per epoch on stderr, and within epochs of at least {@link #PROGRESS_BATCHES} batches a progress line
     * (silenced by --quiet).
     */
    static final class EpochPrinter implements Trainer.Listener {
        private final int epochs;
        String prefix;
        private Progress progress;

        EpochPrinter(int epochs, String prefix) {
            this.epochs = epochs;
            this.prefix = prefix;
        }

        static final int PROGRESS_BATCHES = 100;

        @Override
        public void batch(int epoch, int done, int total) {
            if (total < PROGRESS_BATCHES) return;
            if (done == 1) progress = Progress.start(prefix + "epoch " + epoch + "/" + epochs, total, "batch");
            progress.step();
        }

        @Override
        public void epoch(Trainer.Epoch e) {
            if (progress != null) progress.close();
            progress = null;
            Progress.info(String.format(Locale.ROOT, "%sepoch %d/%d: train loss %.6f%s (%.2f s)%s", prefix, e.epoch(), e.epochs(), e.trainLoss(),
                    Double.isNaN(e.valLoss()) ? "" : String.format(Locale.ROOT, ", validation loss %.6f", e.valLoss()), e.seconds(), e.best() ? " *" : ""));
        }
    }
}
