package org.synesthesia.cli.bench;

import org.synesthesia.diffusion.RandomWeightSource;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.synesthesia.cli.Args;
import org.synesthesia.clip.ClipNames;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.MemoryStats;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench sd}: the three networks of one SD 1.5 txt2img at full size on random F16 weights: the CLIP text
 * encoder on 2 x 77 tokens (uncond + cond), one UNet step on latents [2, 4, S, S], and the VAE decode of [1, 4, S, S]
 * (S = 64: 512x512), with the peak Java heap and each part's peak resident memory (VmHWM, reset before each part
 * on Linux; the weights of the parts before stay mapped, so a part's peak includes them).
 */
public final class SdBenchMode implements BenchMode {
    @Override public String name() { return "sd"; }

    @Override public String summary() { return "SD 1.5 text encoder + one UNet step + VAE decode on random weights, with peak memory"; }

    @Override public String usage() {
        return """
                usage: synesthesia bench sd [--size S] [--parts text,unet,vae]
                  --size   latent height and width (default 64, i.e. 512x512 images)
                  --parts  which networks to time (default all three)
                """;
    }

    @Override
    public int run(Args args) {
        int size = args.getInt("size", 64);
        List<String> parts = List.of(args.get("parts", "text,unet,vae").split(","));
        args.finish();
        if (size < 1) throw new SynesthesiaException("bench sd: --size must be positive, not " + size);
        for (String p : parts)
            if (!List.of("text", "unet", "vae").contains(p)) throw new SynesthesiaException("bench sd: unknown part '" + p + "' (text, unet, vae)");
        SplittableRandom r = new SplittableRandom(3);
        // each part's peak resident is its own (VmHWM reset before it, where Linux allows)
        boolean resetPeak = MemoryStats.resetResidentPeak();
        try (Arena arena = Arena.ofShared()) {
            if (parts.contains("text")) {
                ClipTextConfig c = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f);
                var src = new RandomWeightSource(RandomWeightSource.sdClipText(49408, 768, 12, 3072, 77), 1, arena, "CLIP ViT-L/14 text");
                ClipTextModel te = ClipTextModel.bind(ClipNames.of(src), c);
                int[] ids = new int[2 * 77];
                for (int i = 0; i < ids.length; i++) ids[i] = i % 77 == 0 ? 49406 : r.nextInt(49406);
                report("text encoder 2x77 tokens", KernelTimer.afterWarmUp(() -> te.encode(ids, 2, 0)), resetPeak);
            }
            if (parts.contains("unet")) {
                UNetConfig c = UNetConfig.sd1();
                UNet2DConditionModel unet = new UNet2DConditionModel(c, UNet2DConditionModel.randomWeights(1, arena));
                Tensor x = Tensor.of(random(r, 2 * 4 * size * size), 2, 4, size, size);
                Tensor e = Tensor.of(random(r, 2 * 77 * c.crossAttentionDim()), 2, 77, c.crossAttentionDim());
                report("unet step " + size + "x" + size + " batch 2", KernelTimer.afterWarmUp(() -> unet.forward(x, 981, e, Tracer.NONE)), resetPeak);
            }
            if (parts.contains("vae")) {
                VaeConfig c = VaeConfig.stableDiffusion();
                var src = new RandomWeightSource(RandomWeightSource.sdVaeDecoder(c), 2, arena, "SD VAE decoder");
                try (AutoencoderKL vae = AutoencoderKL.load(src, c, false)) {
                    Tensor z = Tensor.of(random(r, 4 * size * size), 1, 4, size, size);
                    report("vae decode " + size * 8 + "x" + size * 8, KernelTimer.afterWarmUp(() -> vae.decodeLatents(z)), resetPeak);
                }
            }
        }
        System.out.printf(Locale.ROOT, "peak heap %.0f MiB (heap used now %.0f MiB)%s%n", MemoryStats.peakHeap() / 1048576.0,
                java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0,
                resetPeak ? "" : ", peak resident " + MemoryStats.mib(MemoryStats.residentPeak()));
        return 0;
    }

    /** The part's time and its peak resident set since the previous part (when {@code reset}: VmHWM is reset after). */
    private static void report(String what, double seconds, boolean reset) {
        System.out.printf(Locale.ROOT, "%-32s %.3f s (after one untimed warm-up), peak resident %s%s%n", what, seconds,
                MemoryStats.mib(MemoryStats.residentPeak()), reset ? "" : " (whole process so far)");
        if (reset) MemoryStats.resetResidentPeak();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }

}
