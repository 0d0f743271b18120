package org.synesthesia.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.cli.Args;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.translator.Adam;
import org.synesthesia.translator.Kernels;
import org.synesthesia.translator.Loss;
import org.synesthesia.translator.TrainingStep;
import org.synesthesia.translator.Translator;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench translator}: training speed of the CLIP-to-CLAP translator, pairs per second for each hidden width
 * and loss: the original loop's step (forward, loss, backward, Adam) on batches of random 512-d pairs, timed over
 * about --seconds after a warm-up of at least 300 steps. GFLOPS counts the matrix products ({@link TrainingStep#flops}).
 * {@code tools/bench_translator_torch.py} times the same loop in PyTorch.
 */
public final class TranslatorBenchMode implements BenchMode {
    static final int WARMUP_STEPS = 300;

    @Override public String name() { return "translator"; }

    @Override public String summary() { return "translator training: pairs per second for each width and loss"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench translator [--hidden 256,512] [--loss mse,cosine,contrastive]
                                   [--batch 64] [--seconds S] [--json]

                Times the training step of the CLIP-to-CLAP translator (512 -> h -> h -> 512: forward, loss, backward,
                Adam) on random pairs; one line per width and loss with pairs/s, ms per batch, and GFLOPS of its matrix
                products with the share of the measured peak (bench peak).
                  --hidden   widths (default 256,512)
                  --loss     losses (default all three)
                  --batch    pairs per step (default 64, the original's)
                  --seconds  time per case (default 2)
                  --json     one JSON object per line
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        List<Integer> widths = new ArrayList<>();
        for (String h : args.get("hidden", "256,512").split(",")) {
            try {
                int v = Integer.parseInt(h.trim());
                if (v <= 0) throw new NumberFormatException();
                widths.add(v);
            } catch (NumberFormatException e) {
                throw new SynesthesiaException("bench translator: --hidden takes positive widths, not '" + h + "'");
            }
        }
        List<Loss> losses = new ArrayList<>();
        for (String l : args.get("loss", "mse,cosine,contrastive").split(",")) losses.add(Loss.parse(l.trim()));
        int batch = args.getInt("batch", 64);
        double seconds = args.getDouble("seconds", 2);
        boolean json = args.flag("json");
        args.finish();
        if (batch < 2) throw new SynesthesiaException("bench translator: --batch must be at least 2");
        if (!json) System.out.println("bench translator: " + Simd.describe() + ", " + Parallel.threads() + " threads; batch " + batch + ", 512-d pairs");
        int d = 512, pool = 64;
        SplittableRandom rnd = new SplittableRandom(1);
        float[][] clip = new float[pool][], clap = new float[pool][];
        for (int i = 0; i < pool; i++) {
            clip[i] = random(rnd, batch * d);
            clap[i] = random(rnd, batch * d);
        }
        for (int h : widths)
            for (Loss loss : losses) {
                TrainingStep step = new TrainingStep(Translator.init(d, h, d, 1), loss, Adam.Settings.defaults(1e-3), 0f, null, Kernels.FAST);
                int[] at = {0};
                Runnable one = () -> {
                    int i = at[0]++ % pool;
                    step.run(clip[i], clap[i], batch);
                };
                // warm-up: a third of --seconds and at least WARMUP_STEPS steps (the JIT compiles the Vector API paths
                // only after some hundreds of calls; interpreted they are 100 times slower). Then the mean time per
                // step over the timed window (training is a stream of steps, so the mean, not the best).
                long t0 = System.nanoTime();
                for (int w = 0; w < WARMUP_STEPS || System.nanoTime() - t0 < (long) (seconds * 1e9 / 3); w++) one.run();
                long steps = 0, s0 = System.nanoTime(), end = s0 + (long) (seconds * 1e9);
                do {
                    one.run();
                    steps++;
                } while (System.nanoTime() < end);
                double perStep = (System.nanoTime() - s0) / 1e9 / steps;
                double flops = TrainingStep.flops(d, h, d, batch, loss);
                double pairsPerSecond = batch / perStep;
                if (json) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("mode", "translator");
                    o.put("hidden", h);
                    o.put("loss", loss.id());
                    o.put("batch", batch);
                    o.put("threads", Parallel.threads());
                    o.put("seconds_per_step", perStep);
                    o.put("pairs_per_second", pairsPerSecond);
                    o.put("gflops", flops / perStep / 1e9);
                    System.out.println(Json.write(o));
                } else {
                    System.out.printf(Locale.ROOT, "translator h=%-4d %-11s %9.0f pairs/s  %7.3f ms/batch  %s%n", h, loss.id(), pairsPerSecond, perStep * 1e3,
                            BenchCommand.gflops(flops, perStep));
                }
            }
        return 0;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
