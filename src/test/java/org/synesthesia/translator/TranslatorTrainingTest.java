package org.synesthesia.translator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.TorchFiles;
import org.synesthesia.testing.Assert;
import org.synesthesia.util.SynesthesiaException;

class TranslatorTrainingTest {
    @TempDir Path dir;

    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller
            double u = 1 - r.nextDouble(), w = r.nextDouble();
            v[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
        }
        return v;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * Pairs from a known map: clip ~ N(0, 1)^d, clap = normalize(M clip + noise * N(0, 1)^d) with a fixed random
     * M (d x d, entries N(0, 1/d)); the first {@code train} rows train, the rest validate.
     */
    static EmbeddingPairs randomMapPairs(int n, int d, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] m = gaussian(r, d * d, 1 / Math.sqrt(d));
        float[] clip = gaussian(r, n * d, 1), clap = new float[n * d];
        for (int i = 0; i < n; i++) {
            float[] e = gaussian(r, d, noise);
            double ss = 0;
            for (int a = 0; a < d; a++) {
                double s = e[a];
                for (int b = 0; b < d; b++) s += (double) m[a * d + b] * clip[i * d + b];
                clap[i * d + a] = (float) s;
                ss += s * s;
            }
            for (int a = 0; a < d; a++) clap[i * d + a] /= (float) Math.sqrt(ss);
        }
        return new EmbeddingPairs(clip, d, clap, d, IntStream.range(0, n).mapToObj(i -> "p" + i).toList());
    }

    @Test
    void fastAndReferenceKernelsAgreeOnOddShapes() {
        SplittableRandom r = new SplittableRandom(5);
        for (int[] s : new int[][] {{37, 23, 29, 5}, {19, 41, 17, 3}, {64, 33, 65, 7}}) {
            Translator t = Translator.init(s[0], s[1], s[2], 11);
            int rows = s[3];
            float[] x = gaussian(r, rows * s[0], 1), y = gaussian(r, rows * s[2], 1);
            for (Loss loss : Loss.values()) {
                float[][][] grads = new float[2][][];
                float[][] outs = new float[2][];
                double[] values = new double[2];
                for (Kernels k : Kernels.values()) {
                    Translator.Activations a = t.forward(x, rows, k, 0, null);
                    float[] dy = new float[rows * s[2]];
                    values[k.ordinal()] = loss.compute(a.y, y, rows, s[2], dy, k);
                    grads[k.ordinal()] = t.backward(a, dy, k);
                    outs[k.ordinal()] = a.y;
                }
                String what = loss.id() + " " + java.util.Arrays.toString(s);
                Assert.close(what + " forward", outs[1], outs[0], 1e-6, 0);
                assertEquals(values[1], values[0], 1e-6 * Math.max(1, Math.abs(values[1])), what + " loss");
                for (int i = 0; i < 6; i++)
                    Assert.close(what + " grad " + Translator.NAMES[i], grads[1][i], grads[0][i], 1e-5 * maxAbs(grads[1][i]) + 1e-9, 0);
            }
        }
    }

    /** Central differences in double-rounded float: each loss, with and without dropout (a fixed mask). */
    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(9);
        int in = 13, h = 11, out = 9, rows = 4;
        float[] x = gaussian(r, rows * in, 1), y = gaussian(r, rows * out, 1);
        int checked = 0;
        for (float dropout : new float[] {0f, 0.3f})
            for (Loss loss : Loss.values()) {
                Translator t = Translator.init(in, h, out, 3);
                Translator.Activations a = t.forward(x, rows, Kernels.REFERENCE, dropout, new SplittableRandom(1));
                float[] dy = new float[rows * out];
                loss.compute(a.y, y, rows, out, dy, Kernels.REFERENCE);
                float[][] g = t.backward(a, dy, Kernels.REFERENCE);
                for (int i = 0; i < 6; i++) {
                    float[] p = t.parameters()[i];
                    double scale = maxAbs(g[i]);
                    for (int j = 0; j < p.length; j += 3) {
                        float keep = p[j];
                        double eps = 1e-3;
                        p[j] = (float) (keep + eps);
                        Translator.Activations au = t.forward(x, rows, Kernels.REFERENCE, dropout, new SplittableRandom(1));
                        double up = loss.compute(au.y, y, rows, out, null, Kernels.REFERENCE);
                        p[j] = (float) (keep - eps);
                        Translator.Activations ad = t.forward(x, rows, Kernels.REFERENCE, dropout, new SplittableRandom(1));
                        double down = loss.compute(ad.y, y, rows, out, null, Kernels.REFERENCE);
                        p[j] = keep;
                        // a ReLU crossing its kink inside [-eps, eps] makes the difference quotient meaningless there
                        if (!samePattern(a, au) || !samePattern(a, ad)) continue;
                        checked++;
                        double fd = (up - down) / (2 * eps);
                        assertEquals(fd, g[i][j], 1e-2 * Math.max(scale, 1e-3),
                                loss.id() + " dropout " + dropout + " d/d" + Translator.NAMES[i] + "[" + j + "]");
                    }
                }
            }
        assertTrue(checked > 300, "coordinates checked: " + checked);
    }

    private static boolean samePattern(Translator.Activations a, Translator.Activations b) {
        for (int i = 0; i < a.h1.length; i++) if ((a.h1[i] > 0) != (b.h1[i] > 0)) return false;
        for (int i = 0; i < a.h2.length; i++) if ((a.h2[i] > 0) != (b.h2[i] > 0)) return false;
        return true;
    }

    /**
     * Learnability: 4096 pairs of a known noisy random map (d = 512, noise 0.1 per coordinate, so the best
     * achievable cosine is about 0.995), 3584 train / 512 validation, hidden 512, 8 epochs of batch 64 with the
     * cosine loss: validation mean cosine above 0.85 (measured 0.93; untrained: about 0), recall@1 above 0.9 (1.0).
     */
    @Test
    void learnsAKnownNoisyRandomMap() {
        EmbeddingPairs all = randomMapPairs(4096, 512, 0.1, 42);
        EmbeddingPairs[] parts = Trainer.split(all, 0.125, 7);
        assertEquals(512, parts[1].count());
        Metrics before = Metrics.of(Translator.init(512, 512, 512, 7), parts[1]);
        TrainSettings s = new TrainSettings(512, Loss.COSINE, 8, 64, 1e-3, 7, 0, 0f);
        Trainer.Result r = Trainer.train(parts[0], parts[1], s, new Trainer.Listener() {});
        System.out.printf("learnability: before %.4f; after %d epochs val cosine %.4f R@1 %.3f R@5 %.3f, val loss %s, %.1f s, %.0f pairs/s%n",
                before.meanCosine(), r.trainLosses().size(), r.metrics().meanCosine(), r.metrics().recallAt1(), r.metrics().recallAt5(),
                r.valLosses(), r.seconds(), r.pairsPerSecond());
        assertTrue(Math.abs(before.meanCosine()) < 0.1, "untrained cosine " + before.meanCosine());
        assertTrue(r.metrics().meanCosine() > 0.85, "validation cosine " + r.metrics().meanCosine());
        assertTrue(r.metrics().recallAt1() > 0.9, "recall@1 " + r.metrics().recallAt1());
        assertTrue(r.valLosses().get(r.valLosses().size() - 1) < r.valLosses().get(0), "validation loss fell");
    }
}
