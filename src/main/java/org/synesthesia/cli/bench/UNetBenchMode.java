package org.synesthesia.cli.bench;

import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.synesthesia.cli.Args;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.MemoryStats;

/**
 * {@code bench unet}: one UNet forward at a real size on random F16 weights (no checkpoint needed): SD 1.5 by
 * default, 64x64 latents, batch 2 (classifier-free guidance), 77 text tokens.
 */
public final class UNetBenchMode implements BenchMode {
    @Override public String name() { return "unet"; }

    @Override public String summary() { return "Stable Diffusion UNet forward on random weights (sd15/sd21 shapes)"; }

    @Override public String usage() {
        return """
                usage: synesthesia bench unet [--model FILE] [--config sd15|sd21|CONFIG.json] [--size S] [--batch N] [--tokens L] [--runs R]
                  --model   time a checkpoint's UNet (a converted .gguf, a single file or a diffusers folder) instead
                            of random weights, and report resident memory (its weights stay mapped)
                  --config  UNet shapes (default sd15; with --model: the file's own config, else inferred); a diffusers
                            unet/config.json also works
                  --size    latent height and width (default 64, i.e. 512x512 images)
                  --batch   batch rows (default 2: uncond + cond)
                  --tokens  text tokens (default 77)
                  --runs    timed forwards after one untimed warm-up (default 1; 0 times only the first)
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        Path model = args.path("model");
        String cfg = args.get("config", model == null ? "sd15" : null);
        int size = args.getInt("size", 64), batch = args.getInt("batch", 2), tokens = args.getInt("tokens", 77), runs = args.getInt("runs", 1);
        args.finish();
        if (model != null) return runModel(model, cfg, size, batch, tokens, runs);
        UNetConfig c = config(cfg);
        try (Arena arena = Arena.ofShared()) {
            long t0 = System.nanoTime();
            UNet2DConditionModel unet = new UNet2DConditionModel(c, UNet2DConditionModel.randomWeights(1, arena));
            double build = (System.nanoTime() - t0) / 1e9;
            Tensor[] in = inputs(c, size, batch, tokens);
            double first = time(unet, in[0], in[1]), best = first;
            for (int i = 0; i < runs; i++) best = Math.min(best, time(unet, in[0], in[1]));
            System.out.printf(Locale.ROOT, "unet %s %dx%d batch %d tokens %d: weights made in %.1f s, first forward %.2f s, best %.2f s/forward%n",
                    cfg, size, size, batch, tokens, build, first, runs == 0 ? first : best);
        }
        return 0;
    }

    /** One checkpoint's UNet: load time, first and best forward, resident memory after load and at peak. */
    private static int runModel(Path model, String cfg, int size, int batch, int tokens, int runs) {
        long t0 = System.nanoTime();
        try (WeightSource src = WeightSources.open(model)) {
            Weights w = UNet2DConditionModel.weights(src, -1);
            UNetConfig c;
            String json = src.metadata().get("stable-diffusion.unet.config");
            if (cfg != null) c = config(cfg);
            else if (json != null) c = UNetConfig.fromJson(Json.parseObject(json));
            else if (Files.isRegularFile(model.resolve("unet").resolve("config.json"))) c = UNetConfig.read(model.resolve("unet").resolve("config.json"));
            else c = UNetConfig.inferFrom(w);
            UNet2DConditionModel unet = new UNet2DConditionModel(c, w);
            double load = (System.nanoTime() - t0) / 1e9;
            long afterLoad = MemoryStats.residentNow();
            Tensor[] in = inputs(c, size, batch, tokens);
            double first = time(unet, in[0], in[1]), best = first;
            for (int i = 0; i < runs; i++) best = Math.min(best, time(unet, in[0], in[1]));
            System.out.printf(Locale.ROOT, "unet %s (%s) %dx%d batch %d tokens %d: loaded in %.1f s, resident %s after load, "
                            + "first forward %.2f s, best %.2f s/forward; peak resident (VmHWM) %s, peak heap %s%n",
                    model, src.format(), size, size, batch, tokens, load, MemoryStats.mib(afterLoad), first, runs == 0 ? first : best,
                    MemoryStats.mib(MemoryStats.residentPeak()), MemoryStats.mib(MemoryStats.peakHeap()));
        }
        return 0;
    }

    /** {@code sd15}, {@code sd21} or a diffusers UNet config.json. */
    private static UNetConfig config(String cfg) {
        return switch (cfg) {
            case "sd15", "sd1" -> UNetConfig.sd1();
            case "sd21", "sd2" -> UNetConfig.sd2();
            default -> UNetConfig.read(Path.of(cfg));
        };
    }

    /** Random latents [batch, C, size, size] and text states [batch, tokens, d] in [-1, 1). */
    private static Tensor[] inputs(UNetConfig c, int size, int batch, int tokens) {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[batch * c.inChannels() * size * size], e = new float[batch * tokens * c.crossAttentionDim()];
        for (int i = 0; i < x.length; i++) x[i] = (float) (2 * r.nextDouble() - 1);
        for (int i = 0; i < e.length; i++) e[i] = (float) (2 * r.nextDouble() - 1);
        return new Tensor[] {Tensor.of(x, batch, c.inChannels(), size, size), Tensor.of(e, batch, tokens, c.crossAttentionDim())};
    }

    private static double time(UNet2DConditionModel unet, Tensor sample, Tensor text) {
        long t = System.nanoTime();
        unet.forward(sample, 981, text, Tracer.NONE);
        return (System.nanoTime() - t) / 1e9;
    }
}
