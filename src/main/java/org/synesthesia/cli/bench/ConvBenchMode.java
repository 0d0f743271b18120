package org.synesthesia.cli.bench;

import org.synesthesia.cli.Args;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.kernel.Conv;
import org.synesthesia.kernel.ConvScalar;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench conv}: times {@link Conv#conv2d} (im2col + GEMM, both GEMM paths), a 1x1 convolution, Whisper's
 * first conv1d and a HiFi-GAN transposed convolution, and the scalar reference on a smaller image. GFLOPS =
 * 2 * O * P * C/groups * kh * kw per image (P output pixels) / best time.
 */
public final class ConvBenchMode implements BenchMode {
    /** {name, N, C, H, W, O, k, stride, pad}: conv2d shapes of Stable Diffusion. */
    private static final int[][] CONV2D = {
            {1, 320, 64, 64, 320, 3, 1, 1},   // SD UNet at 512x512, batch 1
            {2, 320, 64, 64, 320, 3, 1, 1},   // the same with classifier-free guidance
            {1, 320, 64, 64, 320, 1, 1, 0},   // 1x1 (proj_in / shortcut)
            {1, 640, 32, 32, 640, 3, 1, 1},   // UNet down block 2
    };
    private static final double SCALAR_MAX_FLOPS = 3e8;

    @Override public String name() { return "conv"; }

    @Override public String summary() { return "convolutions: conv2d (im2col + GEMM), conv1d, convTranspose1d vs the scalar reference"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench conv [--n N --c C --h H --w W --o O --k K --stride S --pad P]
                                   [--type f32|f16] [--seconds S] [--scalar] [--json]

                Times conv2d (x [N,C,H,W], w [O,C,K,K]) on both GEMM paths (sgemm: W * cols into NCHW; linear:
                im2col rows * W^T, any weight type), plus Whisper's conv1 (80->384, k3, 3000 frames) and a HiFi-GAN
                upsampling ConvTranspose1d (256->128, k16, stride 8); one line per kernel ending in GFLOPS and its share
                of the measured peak (bench peak).
                  --n .. --pad    one conv2d shape (default: SD's 3x3 64x64x320->320 at batch 1 and 2, 1x1 320->320,
                                  3x3 32x32x640->640)
                  --type          weight storage: f32 (heap, default) or f16 (off-heap, decoded by the kernels)
                  --seconds       time per kernel (default 1)
                  --scalar        time the scalar reference at full size (default: the same channels at a smaller
                                  image, so it finishes)
                  --json          one JSON object per line
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        List<int[]> shapes = new ArrayList<>();
        if (args.has("c") || args.has("h") || args.has("o") || args.has("k")) {
            int[] s = {args.getInt("n", 1), args.getInt("c", 320), args.getInt("h", 64), args.getInt("w", args.getInt("h", 64)),
                    args.getInt("o", 320), args.getInt("k", 3), args.getInt("stride", 1), args.getInt("pad", args.getInt("k", 3) / 2)};
            for (int v : s) if (v < 0) throw new SynesthesiaException("bench conv: shape options must not be negative");
            shapes.add(s);
        } else {
            shapes.addAll(List.of(CONV2D));
        }
        String type = args.get("type", "f32").toLowerCase(Locale.ROOT);
        if (!type.equals("f32") && !type.equals("f16")) throw new SynesthesiaException("bench conv: --type must be f32 or f16, not '" + type + "'");
        double seconds = args.getDouble("seconds", 1);
        boolean scalar = args.flag("scalar"), json = args.flag("json");
        args.finish();
        if (!json) System.out.println("bench conv: " + Simd.describe() + ", " + Parallel.threads() + " threads; best of repeated runs");
        SplittableRandom rnd = new SplittableRandom(1);
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int N = s[0], C = s[1], H = s[2], W = s[3], O = s[4], k = s[5], st = s[6], pad = s[7];
                int OH = (H + 2 * pad - k) / st + 1, OW = (W + 2 * pad - k) / st + 1;
                double flops = 2.0 * N * O * OH * OW * C * k * k;
                Tensor x = Tensor.of(random(rnd, N * C * H * W), N, C, H, W);
                float[] wf = random(rnd, O * C * k * k);
                WeightMatrix w = weight(type, wf, O, C * k * k, arena);
                float[] bias = random(rnd, O);
                String shape = String.format(Locale.ROOT, "%dx%dx%dx%d->%d %dx%d s%d", N, C, H, W, O, k, k, st);
                for (Conv.GemmPath path : Conv.GemmPath.values()) {
                    String p = path.name().toLowerCase(Locale.ROOT);
                    double t = KernelTimer.best(seconds, () -> Conv.conv2d(x, w, k, k, bias, st, st, pad, pad, 1, 1, 1, path));
                    KernelTimer.report(json, "conv", shape, "conv2d " + p + " " + type, flops, t, Map.of("path", p, "type", type));
                }
                // the scalar reference: at full size with --scalar, else on a smaller image (same channels)
                int sh = H, sw = W;
                while (!scalar && sh > 1 && 2.0 * N * O * sh * sw * C * k * k > SCALAR_MAX_FLOPS) {
                    sh = Math.max(1, sh / 2);
                    sw = Math.max(1, sw / 2);
                }
                int fh = sh, fw = sw;
                int SOH = (fh + 2 * pad - k) / st + 1, SOW = (fw + 2 * pad - k) / st + 1;
                float[] xs = random(rnd, N * C * fh * fw);
                double t = KernelTimer.best(seconds, () -> ConvScalar.conv2d(xs, N, C, fh, fw, w, k, k, bias, st, st, pad, pad, 1, 1, 1));
                KernelTimer.report(json, "conv", String.format(Locale.ROOT, "%dx%dx%dx%d->%d %dx%d s%d", N, C, fh, fw, O, k, k, st),
                        "conv2d scalar " + type, 2.0 * N * O * SOH * SOW * C * k * k, t, Map.of("type", type));
            }
            if (shapes.size() == CONV2D.length) {
                // Whisper's conv1: 80 mel bins -> 384 channels, kernel 3, padding 1, 3000 frames
                Tensor mel = Tensor.of(random(rnd, 80 * 3000), 1, 80, 3000);
                WeightMatrix w1 = weight(type, random(rnd, 384 * 80 * 3), 384, 240, arena);
                double t = KernelTimer.best(seconds, () -> Conv.conv1d(mel, w1, 3, null, 1, 1, 1, 1));
                KernelTimer.report(json, "conv", "1x80x3000->384 k3", "conv1d " + type, 2.0 * 384 * 3000 * 240, t, Map.of("type", type));
                // HiFi-GAN: ConvTranspose1d 256 -> 128, kernel 16, stride 8, padding 4 on 800 steps
                Tensor h = Tensor.of(random(rnd, 256 * 800), 1, 256, 800);
                float[] wt = random(rnd, 256 * 128 * 16);
                double tt = KernelTimer.best(seconds, () -> Conv.convTranspose1d(h, wt, 128, 16, null, 8, 4, 0, 1, 1));
                KernelTimer.report(json, "conv", "1x256x800->128 k16 s8", "convTranspose1d", 2.0 * 256 * 128 * 16 * 800, tt, Map.of());
            }
        }
        return 0;
    }

    private static WeightMatrix weight(String type, float[] w, int rows, int cols, Arena arena) {
        if (type.equals("f32")) return WeightMatrix.of(w, rows, cols);
        MemorySegment s = arena.allocate(2L * w.length, 64);
        for (int i = 0; i < w.length; i++) s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(w[i]));
        return WeightMatrix.of("f16", DType.F16, rows, cols, s, null);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
