package org.synesthesia.cli.bench;

import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.cli.Args;
import org.synesthesia.diffusion.RandomWeightSource;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.MemoryStats;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGan;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * {@code bench audioldm}: AudioLDM-S at full size on random F16 weights made in Java (no files): one UNet step on
 * latents [2 (guidance), 8, T, 16] with T = seconds * 25.6 (model_channels C = 128: widths C x [1, 2, 3, 5]), the mel
 * VAE decode of [1, 8, T, 16] -> [1, 1, 4T, 64] (widths C x [1, 2, 4], 8 latent channels) and the 16 kHz HiFi-GAN on
 * the 4T mel frames (upsample_initial_channel 8C = 1024, rates 5, 4, 2, 2, 2). Each line gives the time, the
 * analytic FLOPs ({@link AudioLdmFlops}) as GFLOPS and their share of the peak, then the whole clip at
 * {@code --steps} UNet steps (CLAP's two text encodings left out) and the peak heap and resident memory.
 */
public final class AudioLdmBenchMode implements BenchMode {
    /** AudioLDM-S's model_channels. */
    public static final int FULL_CHANNELS = 128;

    @Override public String name() { return "audioldm"; }

    @Override public String summary() { return "AudioLDM-S UNet step + mel VAE decode + HiFi-GAN on random weights, clip estimate, memory"; }

    @Override public String usage() {
        return """
                usage: synesthesia bench audioldm [--duration S] [--steps N] [--runs R] [--channels C]
                  --duration  seconds of audio (default 10; rounded up to a multiple of 2.5; latent 8 x S*25.6 x 16)
                  --steps     UNet steps of the whole-clip estimate (default 200)
                  --runs      timed passes per network after one untimed warm-up (default 1; 0 times only the first)
                  --channels  UNet model_channels, a multiple of 32 (default 128, AudioLDM-S); the VAE takes C and
                              the vocoder 8C channels, so 32 is a quick small run
                """;
    }

    @Override
    public int run(Args args) {
        AudioLdmDuration d = AudioLdmDuration.of(args.getDouble("duration", 10));
        int steps = args.getInt("steps", AudioLdm.DEFAULT_STEPS), runs = args.getInt("runs", 1), ch = args.getInt("channels", FULL_CHANNELS);
        args.finish();
        if (steps < 1 || steps > 1000) throw new SynesthesiaException("bench audioldm: --steps must be 1..1000, not " + steps);
        if (runs < 0) throw new SynesthesiaException("bench audioldm: --runs must not be negative, not " + runs);
        if (ch < 32 || ch % 32 != 0) throw new SynesthesiaException("bench audioldm: --channels must be a positive multiple of 32, not " + ch);
        if (d.rounded()) System.out.println(d.note());
        int T = d.latentFrames(), F = 16;
        UNetConfig uc = UNetConfig.audioLdm(ch);
        VaeConfig vc = new VaeConfig(1, 1, new int[] {ch, 2 * ch, 4 * ch}, 2, uc.inChannels(), 32, 1, 512);
        HifiGanConfig gc = HifiGanConfig.audioldm16k(8 * ch);
        System.out.printf(Locale.ROOT, "bench audioldm: %.1f s of audio, model_channels %d, %s, %d threads; FLOPs counted analytically from the layer shapes "
                + "(convolutions, token Linears, attention products)%n", d.seconds(), ch, Simd.describe(), Parallel.threads());
        SplittableRandom r = new SplittableRandom(5);
        double unetT, vaeT, vocT;
        try (Arena arena = Arena.ofShared()) {
            UNet2DConditionModel unet = new UNet2DConditionModel(uc, UNet2DConditionModel.randomWeights(1, arena));
            Tensor x = Tensor.of(random(r, 2 * uc.inChannels() * T * F), 2, uc.inChannels(), T, F);
            Tensor clap = Tensor.of(random(r, 2 * uc.classEmbedInputDim()), 2, uc.classEmbedInputDim());
            unetT = time(runs, () -> unet.forward(x, 981, null, clap, Tracer.NONE));
            report(String.format(Locale.ROOT, "unet step 2x%dx%dx%d", uc.inChannels(), T, F), unetT, AudioLdmFlops.unet(uc, 2, T, F));

            var vsrc = new RandomWeightSource(RandomWeightSource.sdVaeDecoder(vc), 2, arena, "AudioLDM mel VAE decoder");
            Tensor[] mel = new Tensor[1];
            try (AutoencoderKL vae = AutoencoderKL.load(vsrc, vc, false)) {
                Tensor z = Tensor.of(random(r, uc.inChannels() * T * F), 1, uc.inChannels(), T, F);
                vaeT = time(runs, () -> mel[0] = vae.decode(z));
                report(String.format(Locale.ROOT, "vae decode -> 1x1x%dx%d", mel[0].dim(2), mel[0].dim(3)), vaeT, AudioLdmFlops.vaeDecode(vc, T, F));
            }

            try (HifiGan gan = HifiGan.build(Weights.random("HiFi-GAN", 3, arena), gc)) {
                int frames = mel[0].dim(2);
                Tensor m = mel[0].reshape(1, frames, mel[0].dim(3)).permute(0, 2, 1).contiguous();
                Tensor[] wave = new Tensor[1];
                vocT = time(runs, () -> wave[0] = gan.forward(m));
                report(String.format(Locale.ROOT, "vocoder %d frames -> %d samples", frames, wave[0].size()), vocT, AudioLdmFlops.vocoder(gc, frames));
            }
        }
        double clip = steps * unetT + vaeT + vocT;
        System.out.printf(Locale.ROOT, "clip %.1f s at %d steps: %.1f s (%d x %.3f s unet + %.3f s vae + %.3f s vocoder; CLAP aside), %.2f x real time%n",
                d.seconds(), steps, clip, steps, unetT, vaeT, vocT, clip / d.seconds());
        System.out.printf(Locale.ROOT, "peak heap %s, peak resident %s%n", MemoryStats.mib(MemoryStats.peakHeap()), MemoryStats.mib(MemoryStats.residentPeak()));
        return 0;
    }

    /** Seconds of the first call with {@code runs} 0, else the best of {@code runs} calls after one warm-up. */
    private static double time(int runs, Supplier<?> pass) {
        long t0 = System.nanoTime();
        pass.get();
        double best = (System.nanoTime() - t0) / 1e9;
        if (runs == 0) return best;
        best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            pass.get();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }

    private static void report(String what, double seconds, double flops) {
        System.out.printf(Locale.ROOT, "%-38s %8.3f s  %7.1f GFLOP  %s%n", what, seconds, flops / 1e9, BenchCommand.gflops(flops, seconds));
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * r.nextDouble() - 1);
        return v;
    }
}
