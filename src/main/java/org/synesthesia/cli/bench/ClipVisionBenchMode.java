package org.synesthesia.cli.bench;

import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.cli.Args;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.MemoryStats;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench clip-vision}: the CLIP image encoder ({@code CLIPVisionModelWithProjection}) at a released size on
 * random F16 weights, pixel values [B, 3, S, S] to image_embeds, with its FLOPs counted from the shapes: per image
 * 2 g^2 d C p^2 (patch convolution) + per layer (8 T d^2 + 4 T^2 d + 4 T d ff) + 2 d proj, T = 1 + g^2.
 */
public final class ClipVisionBenchMode implements BenchMode {
    /** OpenAI's released vision towers (quick_gelu). */
    static final Map<String, ClipVisionConfig> SHAPES = Map.of(
            "b32", new ClipVisionConfig(224, 32, 768, 3072, 12, 12, 512, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3),
            "b16", new ClipVisionConfig(224, 16, 768, 3072, 12, 12, 512, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3),
            "l14", new ClipVisionConfig(224, 14, 1024, 4096, 24, 16, 768, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3),
            "l14-336", new ClipVisionConfig(336, 14, 1024, 4096, 24, 16, 768, ClipTextConfig.Activation.QUICK_GELU, 1e-5f, 3));

    @Override public String name() { return "clip-vision"; }

    @Override public String summary() { return "CLIP image encoder (ViT-B/32, B/16, L/14) on random weights: pixels to image_embeds"; }

    @Override public String usage() {
        return """
                usage: synesthesia bench clip-vision [--shape b32|b16|l14|l14-336] [--batch N] [--runs R]
                  --shape  OpenAI's vision tower shapes (default b32, ViT-B/32 as the image-to-sound work used)
                  --batch  images per forward (default 1)
                  --runs   timed forwards after one untimed warm-up (default 3; 0 times only the first)
                """;
    }

    @Override
    public int run(Args args) {
        String shape = args.get("shape", "b32");
        int batch = args.getInt("batch", 1), runs = args.getInt("runs", 3);
        args.finish();
        ClipVisionConfig c = SHAPES.get(shape);
        if (c == null) throw new SynesthesiaException("bench clip-vision: unknown --shape '" + shape + "' (b32, b16, l14, l14-336)");
        if (batch < 1) throw new SynesthesiaException("bench clip-vision: --batch must be positive, not " + batch);
        if (runs < 0) throw new SynesthesiaException("bench clip-vision: --runs must not be negative, not " + runs);
        SplittableRandom r = new SplittableRandom(7);
        int S = c.imageSize();
        float[] px = new float[batch * 3 * S * S];
        for (int i = 0; i < px.length; i++) px[i] = (float) (4 * r.nextDouble() - 2);
        Tensor x = Tensor.of(px, batch, 3, S, S);
        try (Arena arena = Arena.ofShared()) {
            ClipVisionModel m = ClipVisionModel.bind(Weights.random("CLIP vision", 11, arena), c);
            long t0 = System.nanoTime();
            m.imageEmbeds(x);
            double first = (System.nanoTime() - t0) / 1e9, best = first;
            if (runs > 0) best = Double.MAX_VALUE;
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                m.imageEmbeds(x);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            double flops = flops(c, batch);
            System.out.printf(Locale.ROOT, "clip-vision %s (%s), %d threads, %s: %d x %dx%d -> [%d, %d]: first %.3f s, best %.3f s (%.1f ms/image), "
                            + "%.1f GFLOP, %s%n", shape, m.description(), Parallel.threads(), Simd.describe(), batch, S, S, batch, c.projectionDim(),
                    first, best, 1000 * best / batch, flops / 1e9, BenchCommand.gflops(flops, best));
        }
        System.out.printf(Locale.ROOT, "peak heap %s, peak resident %s%n", MemoryStats.mib(MemoryStats.peakHeap()), MemoryStats.mib(MemoryStats.residentPeak()));
        return 0;
    }

    /** Multiply-adds x 2 of one forward of {@code batch} images (see the class comment). */
    static double flops(ClipVisionConfig c, int batch) {
        double g2 = (double) c.gridSize() * c.gridSize(), T = 1 + g2, d = c.hiddenSize();
        double patch = 2 * g2 * d * c.numChannels() * c.patchSize() * c.patchSize();
        double layer = 8 * T * d * d + 4 * T * T * d + 4 * T * d * c.intermediateSize();
        return batch * (patch + c.numLayers() * layer + 2 * d * c.projectionDim());
    }
}
