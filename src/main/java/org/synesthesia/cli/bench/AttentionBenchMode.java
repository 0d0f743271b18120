package org.synesthesia.cli.bench;

import org.synesthesia.cli.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.kernel.Attention;
import org.synesthesia.kernel.AttentionScalar;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench attention}: times {@link Attention#sdpa} on the attention shapes of Stable Diffusion and Whisper and
 * the scalar reference (on fewer queries unless --scalar). GFLOPS = 4 * lq * lk * d * heads / best time (causal
 * masks are not discounted).
 */
public final class AttentionBenchMode implements BenchMode {
    /** {lq, lk, heads, d, causal} with a name each. */
    private static final int[][] SHAPES = {
            {4096, 4096, 8, 40, 0},   // SD 1.x self-attention at 512x512
            {4096, 4096, 5, 64, 0},   // SD 2.x head size
            {4096, 77, 8, 40, 0},     // SD cross-attention to the prompt
            {1500, 1500, 6, 64, 0},   // Whisper tiny encoder
            {1, 448, 6, 64, 1},       // Whisper decoder step against a full KV cache
            {1, 1500, 6, 64, 0},      // Whisper decoder cross-attention
    };
    private static final String[] NAMES = {"sd-self", "sd2-self", "sd-cross", "whisper-enc", "whisper-dec", "whisper-cross"};
    private static final double SCALAR_MAX_FLOPS = 3e8;

    @Override public String name() { return "attention"; }

    @Override public String summary() { return "scaled dot-product attention (flash-style tiles) vs the scalar reference"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench attention [--lq Q --lk K --heads H --dim D [--causal]]
                                   [--seconds S] [--scalar] [--json]

                Times multi-head attention over token-major rows (q [lq, H*D], k, v [lk, H*D]); one line per shape
                ending in GFLOPS (4*lq*lk*D*H / best time) and its share of the measured peak (bench peak).
                  --lq .. --causal  one shape (default: SD self 4096x4096 8x40 and 5x64, SD cross 4096x77,
                                    Whisper encoder 1500x1500 6x64, decoder step 1x448 causal and 1x1500)
                  --seconds         time per kernel (default 1)
                  --scalar          time the scalar reference at full size (default: on fewer queries)
                  --json            one JSON object per line
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        List<int[]> shapes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (args.has("lq") || args.has("lk") || args.has("heads") || args.has("dim")) {
            int[] s = {args.getInt("lq", 4096), args.getInt("lk", args.getInt("lq", 4096)), args.getInt("heads", 8), args.getInt("dim", 40),
                    args.flag("causal") ? 1 : 0};
            if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0 || s[3] <= 0) throw new SynesthesiaException("bench attention: --lq, --lk, --heads and --dim must be positive");
            shapes.add(s);
            names.add("custom");
        } else {
            shapes.addAll(List.of(SHAPES));
            names.addAll(List.of(NAMES));
        }
        double seconds = args.getDouble("seconds", 1);
        boolean scalar = args.flag("scalar"), json = args.flag("json");
        args.finish();
        if (!json) System.out.println("bench attention: " + Simd.describe() + ", " + Parallel.threads() + " threads; best of repeated runs");
        SplittableRandom rnd = new SplittableRandom(1);
        for (int n = 0; n < shapes.size(); n++) {
            int[] s = shapes.get(n);
            int lq = s[0], lk = s[1], heads = s[2], d = s[3];
            boolean causal = s[4] == 1;
            int w = heads * d;
            float[] q = random(rnd, lq * w), k = random(rnd, lk * w), v = random(rnd, lk * w), o = new float[lq * w];
            float scale = (float) (1 / Math.sqrt(d));
            String shape = String.format(Locale.ROOT, "%s %dx%d %dx%d%s", names.get(n), lq, lk, heads, d, causal ? " causal" : "");
            double t = KernelTimer.best(seconds, () -> Attention.sdpa(q, 0, w, k, 0, w, v, 0, w, o, 0, w, lq, lk, heads, d, scale, causal));
            KernelTimer.report(json, "attention", shape, Simd.available() ? "vector" : "scalar-fallback", 4.0 * lq * lk * d * heads, t, Map.of());
            // scalar reference on the last sq queries (the same keys), all of them with --scalar
            int sq = lq;
            while (!scalar && sq > 1 && 4.0 * sq * lk * d * heads > SCALAR_MAX_FLOPS) sq = Math.max(1, sq / 2);
            int fq = sq;
            double ts = KernelTimer.best(seconds, () -> AttentionScalar.sdpa(q, (lq - fq) * w, w, k, 0, w, v, 0, w, o, 0, w, fq, lk, heads, d, scale, causal));
            String sshape = String.format(Locale.ROOT, "%s %dx%d %dx%d%s", names.get(n), fq, lk, heads, d, causal ? " causal" : "");
            KernelTimer.report(json, "attention", sshape, "scalar", 4.0 * fq * lk * d * heads, ts, Map.of());
        }
        return 0;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
