package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.TorchFiles;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.PairFiles;
import org.synesthesia.translator.Translator;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** {@code train-translator} end to end on small made-up pairs, {@code --grid}, {@code bench translator}, and bad input. */
class TrainTranslatorCommandTest {
    @TempDir Path dir;

    /** n pairs of width d: clap = normalize(M clip) for a random M. */
    private Path shard(String name, int n, int d, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        float[] m = new float[d * d], clip = new float[n * d], clap = new float[n * d];
        for (int i = 0; i < m.length; i++) m[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < clip.length; i++) clip[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int b = 0; b < d; b++) s += m[a * d + b] * clip[i * d + b];
                clap[i * d + a] = (float) s;
            }
        Path p = dir.resolve(name + ".safetensors");
        PairFiles.writeShard(p, new EmbeddingPairs(clip, d, clap, d, IntStream.range(0, n).mapToObj(i -> "r" + i).toList()), Map.of());
        return p;
    }

    @Test
    void trainsWritesTheModelTheCurveAndTheMetricsReproducibly() throws Exception {
        Path pairs = shard("pairs", 300, 32, 1);
        byte[] first = null;
        for (int run = 0; run < 2; run++) {
            Path out = dir.resolve("t" + run + ".safetensors"), curve = dir.resolve("c" + run + ".png");
            CliRun r = CliRun.of("train-translator", "--pairs", pairs.toString(), "--hidden", "16", "--loss", "contrastive", "--epochs", "3",
                    "--batch", "32", "--seed", "3", "--curve", curve.toString(), "--out", out.toString());
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.err().contains("epoch 3/3: train loss"), r.err());
            assertTrue(r.err().contains("270 training pairs, 30 validation pairs"), r.err());
            assertTrue(r.err().contains("partial batches skipped"), r.err()); // 270 = 8 x 32 + 14
            assertTrue(r.out().startsWith("validation (30 pairs): loss "), r.out());
            assertTrue(Files.readAllBytes(curve).length > 100);
            Translator t = Translator.load(out);
            assertEquals(32, t.in());
            assertEquals(16, t.hidden());
            try (SafeTensors st = SafeTensors.open(out)) {
                Map<String, String> meta = st.metadata();
                assertEquals("contrastive", meta.get("loss"));
                assertEquals("3", meta.get("epochs"));
                assertEquals("3", meta.get("seed"));
                Map<String, Object> metrics = Json.parseObject(meta.get("metrics"));
                assertTrue(((Number) metrics.get("recall@5")).doubleValue() >= ((Number) metrics.get("recall@1")).doubleValue());
            }
            byte[] bytes = Files.readAllBytes(out);
            if (first == null) first = bytes;
            else assertArrayEquals(first, bytes, "same seed, same data: same file");
        }
    }

    @Test
    void earlyStoppingKeepsTheBestValidationEpoch() throws Exception {
        Path pairs = shard("pairs", 200, 16, 2), val = shard("val", 40, 16, 3);
        Path out = dir.resolve("t.safetensors");
        CliRun r = CliRun.of("--quiet", "train-translator", "--pairs", pairs.toString(), "--val", val.toString(), "--hidden", "8", "--loss", "mse",
                "--epochs", "40", "--batch", "16", "--lr", "0.05", "--patience", "2", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        try (SafeTensors st = SafeTensors.open(out)) {
            List<Object> losses = (List<Object>) Json.parse(st.metadata().get("val_losses"));
            int kept = Integer.parseInt(st.metadata().get("epoch_kept"));
            double best = Double.POSITIVE_INFINITY;
            int bestEpoch = 0;
            for (int i = 0; i < losses.size(); i++) {
                double v = ((Number) losses.get(i)).doubleValue();
                if (v < best) { best = v; bestEpoch = i + 1; }
            }
            assertEquals(bestEpoch, kept, losses.toString());
            assertTrue(losses.size() - kept <= 2, "stopped within patience of the best: " + losses);
            double metricLoss = ((Number) Json.parseObject(st.metadata().get("metrics")).get("val_loss")).doubleValue();
            assertEquals(best, metricLoss);
        }
    }

    @Test
    void gridTrainsEveryLossAndWidthPerDatasetAndWritesTheTable() throws Exception {
        Path a = shard("a", 160, 16, 4), b = shard("b", 160, 16, 5);
        Path out = dir.resolve("grid");
        CliRun r = CliRun.of("--quiet", "train-translator", "--grid", "--dataset", "audiocaps=" + a, "--dataset", "wit=" + b, "--epochs", "1",
                "--batch", "32", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        List<String> tsv = Files.readAllLines(out.resolve("grid.tsv"));
        assertEquals(13, tsv.size(), String.join("\n", tsv));
        assertTrue(tsv.get(0).startsWith("dataset\tloss\twidth\tval_loss\tmean_cosine\trecall@1\trecall@5"));
        assertTrue(tsv.get(1).startsWith("audiocaps\tmse\t256\t"), tsv.get(1));
        assertTrue(tsv.get(12).startsWith("wit\tcontrastive\t512\t"), tsv.get(12));
        for (String d : List.of("audiocaps", "wit"))
            for (String l : List.of("mse", "cosine", "contrastive"))
                for (int h : new int[] {256, 512}) {
                    assertEquals(h, Translator.load(out.resolve(d + "-" + l + "-" + h + ".safetensors")).hidden());
                    assertTrue(Files.exists(out.resolve(d + "-" + l + "-" + h + ".png")));
                }
        assertTrue(Files.readString(out.resolve("grid.md")).startsWith("| dataset | loss | width | validation loss |"));
        assertTrue(r.out().contains("| wit | contrastive | 512 |"), r.out());
    }

    @Test
    void loadsTheOriginalScriptsPthStateDicts() throws Exception {
        Translator t = Translator.init(512, 256, 512, 9);
        List<TorchFiles.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int[] s = t.shape(i);
            long[] shape = new long[s.length];
            for (int d = 0; d < s.length; d++) shape[d] = s[d];
            entries.add(new TorchFiles.Entry(Translator.NAMES[i], shape, t.parameters()[i]));
        }
        Path pth = dir.resolve("modelCL256.pth");
        Files.write(pth, TorchFiles.stateDict(entries));
        Translator back = Translator.load(pth);
        for (int i = 0; i < 6; i++) assertArrayEquals(t.parameters()[i], back.parameters()[i]);
        // missing tensor and mismatched shapes: one line naming the file and the tensor
        Path missing = dir.resolve("missing.pth");
        Files.write(missing, TorchFiles.stateDict(entries.subList(0, 5)));
        assertEquals(missing + ": no tensor named 'fc3.bias' (a CLIP-to-CLAP translator has fc1/fc2/fc3 .weight and .bias)",
                assertThrows(SynesthesiaException.class, () -> Translator.load(missing)).getMessage());
        List<TorchFiles.Entry> wrong = new ArrayList<>(entries);
        wrong.set(2, new TorchFiles.Entry("fc2.weight", new long[] {256, 128}, new float[256 * 128]));
        Path bad = dir.resolve("bad.pth");
        Files.write(bad, TorchFiles.stateDict(wrong));
        String msg = assertThrows(SynesthesiaException.class, () -> Translator.load(bad)).getMessage();
        assertTrue(msg.startsWith(bad + ": tensor fc2.weight is [256, 128], expected [256, 256]"), msg);
        assertFalse(msg.contains("\n"));
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws Exception {
        Path pairs = shard("pairs", 50, 8, 6);
        Path out = dir.resolve("t.safetensors");
        CliRun r = CliRun.of("train-translator", "--pairs", dir.resolve("nope.safetensors").toString(), "--hidden", "8", "--loss", "mse", "--out", out.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("nope.safetensors: no such file or folder"), r.err());
        r = CliRun.of("train-translator", "--pairs", pairs.toString(), "--hidden", "8", "--loss", "contrastive", "--out", out.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("45 training pairs are fewer than one batch of 64"), r.err());
        r = CliRun.of("train-translator", "--pairs", pairs.toString(), "--val", pairs.toString(), "--val-split", "0.2", "--hidden", "8", "--loss", "mse", "--out", out.toString());
        assertTrue(r.err().contains("give --val or --val-split, not both"), r.err());
        r = CliRun.of("train-translator", "--pairs", pairs.toString(), "--hidden", "8", "--loss", "hinge", "--out", out.toString());
        assertTrue(r.err().contains("unknown loss 'hinge'"), r.err());
        Path notPairs = dir.resolve("model.safetensors");
        Translator.init(8, 4, 8, 1).save(notPairs, Map.of());
        r = CliRun.of("train-translator", "--pairs", notPairs.toString(), "--hidden", "8", "--loss", "mse", "--out", out.toString());
        assertTrue(r.err().contains("not a pair shard"), r.err());
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void benchTranslatorPrintsPairsPerSecond() {
        CliRun r = CliRun.of("bench", "translator", "--hidden", "8", "--loss", "mse,contrastive", "--batch", "4", "--seconds", "0.05", "--json");
        assertEquals(0, r.rc(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(1).contains("\"loss\":\"contrastive\"") && lines.get(1).contains("\"pairs_per_second\""), lines.get(1));
    }
}
