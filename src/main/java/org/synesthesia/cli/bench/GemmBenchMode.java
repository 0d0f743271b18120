package org.synesthesia.cli.bench;

import org.synesthesia.cli.Args;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.GemmScalar;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.Simd;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench gemm}: times {@code C[M,N] = A[M,K] B[K,N]} with the engine's kernel ({@link Gemm#sgemm}), the scalar
 * reference (small products only, or with --scalar) and {@code Y = X W^T} ({@link Gemm#linear}) with W [N,K] stored
 * in each requested type. Each kernel runs repeatedly for about --seconds after a warm-up; the best time is reported
 * as GFLOPS = 2*M*N*K / time.
 */
public final class GemmBenchMode implements BenchMode {
    /** Whisper/Stable Diffusion sized products, M x N x K (the last is Whisper's logits: one token, 51865 words). */
    static final int[][] DEFAULT_SHAPES = {{1024, 1024, 1024}, {4096, 320, 320}, {4096, 320, 1280}, {1500, 384, 1536}, {1, 51865, 512}};
    /**
     * The products the models run, M x N x K with a label: convolutions as W[O, C*kh*kw] times columns [C*kh*kw, pixels]
     * (VAE layers of more than 4096 pixels timed on a 4096-pixel slice, the product a column tile computes), linear
     * layers as tokens x out x in. SD 1.5 UNet at 64x64 latents, batch 2; SD VAE decode to 512x512; Whisper base.
     */
    static final List<Shape> MODEL_SHAPES = List.of(
            new Shape("unet", "conv3x3 320ch 64x64", 320, 4096, 2880),
            new Shape("unet", "conv3x3 640ch 32x32", 640, 1024, 5760),
            new Shape("unet", "conv3x3 1280ch 16x16", 1280, 256, 11520),
            new Shape("unet", "conv3x3 1280ch 8x8", 1280, 64, 11520),
            new Shape("unet", "attn proj 64x64 (2x4096 tokens)", 8192, 320, 320),
            new Shape("unet", "geglu in 64x64", 8192, 2560, 320),
            new Shape("unet", "ff out 64x64", 8192, 320, 1280),
            new Shape("unet", "attn proj 32x32", 2048, 640, 640),
            new Shape("unet", "geglu in 32x32", 2048, 5120, 640),
            new Shape("unet", "cross-attn k/v (2x77 tokens)", 154, 320, 768),
            new Shape("vae", "conv3x3 512ch 64x64", 512, 4096, 4608),
            new Shape("vae", "conv3x3 512ch 128x128 (slice)", 512, 4096, 4608),
            new Shape("vae", "conv3x3 256ch 256x256 (slice)", 256, 4096, 2304),
            new Shape("vae", "conv3x3 128ch 512x512 (slice)", 128, 4096, 1152),
            new Shape("vae", "mid attn proj 4096 tokens", 4096, 512, 512),
            new Shape("whisper", "encoder conv2 stem 512ch k3 s2", 512, 1500, 1536),
            new Shape("whisper", "encoder q/k/v/out 1500 tokens", 1500, 512, 512),
            new Shape("whisper", "encoder fc1", 1500, 2048, 512),
            new Shape("whisper", "encoder fc2", 1500, 512, 2048),
            new Shape("whisper", "decoder beams x logits (5 beams)", 5, 51865, 512));

    /** One product of a model: {@code group} (unet, vae, whisper), what it computes, M x N x K. */
    record Shape(String group, String label, int m, int n, int k) {}

    /** Products above this many flops skip the scalar kernel unless --scalar. */
    private static final double SCALAR_MAX_FLOPS = 3e8;
    private static final List<String> TYPES = List.of("f32", "f16", "bf16", "q8", "q8r", "q4", "pal2", "pal4", "pal6", "pal8");

    @Override public String name() { return "gemm"; }

    @Override public String summary() { return "matrix products: vector sgemm, scalar reference, linear with F16/BF16/Q8_0/Q8_ROW/Q4_0/PAL weights"; }

    @Override public String usage() {
        return """
                usage: synesthesia [--threads T] bench gemm [--m M --n N --k K | --shapes models|unet|vae|whisper] [--type T[,T...]] [--seconds S] [--scalar] [--json]

                Times C[M,N] = A[M,K] B[K,N] (sgemm, float32) and Y[M,N] = X[M,K] W^T (linear, W [N,K] in each --type),
                one line per kernel ending in GFLOPS (2MNK / best time) and its share of the measured peak (bench peak).
                  --m, --n, --k   one product (default: 1024x1024x1024, 4096x320x320, 4096x320x1280, 1500x384x1536,
                                  1x51865x512)
                  --shapes        the products the models run (UNet 64x64 batch 2, VAE 512x512, Whisper base), one line
                                  each with its layer; sgemm only unless --type is given
                  --type          sgemm is always timed; linear for each of f32, f16, bf16, q8, q8r (Q8_ROW), q4, pal2, pal4,
                                  pal6, pal8
                                  (default: all; 'none' for sgemm only)
                  --seconds       time per kernel (default 1)
                  --scalar        also time the scalar reference on large products (slow)
                  --json          one JSON object per line instead of text
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        List<int[]> shapes = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String group = args.get("shapes", null);
        if (group != null) {
            if (args.has("m") || args.has("n") || args.has("k")) throw new SynesthesiaException("bench gemm: --shapes and --m/--n/--k exclude each other");
            String g = group.trim().toLowerCase(Locale.ROOT);
            if (!List.of("models", "unet", "vae", "whisper").contains(g))
                throw new SynesthesiaException("bench gemm: unknown --shapes '" + group + "' (one of models, unet, vae, whisper)");
            for (Shape s : MODEL_SHAPES)
                if (g.equals("models") || g.equals(s.group())) {
                    shapes.add(new int[] {s.m(), s.n(), s.k()});
                    labels.add(s.group() + " " + s.label());
                }
        } else if (args.has("m") || args.has("n") || args.has("k")) {
            int M = args.getInt("m", 1024), N = args.getInt("n", 1024), K = args.getInt("k", 1024);
            if (M <= 0 || N <= 0 || K <= 0) throw new SynesthesiaException("bench gemm: --m, --n and --k must be positive");
            shapes.add(new int[] {M, N, K});
        } else {
            shapes.addAll(List.of(DEFAULT_SHAPES));
        }
        List<String> types = new ArrayList<>();
        for (String t : args.get("type", group != null ? "none" : String.join(",", TYPES)).split(",")) {
            t = t.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || t.equals("none")) continue;
            if (!TYPES.contains(t)) throw new SynesthesiaException("bench gemm: unknown --type '" + t + "' (one of " + String.join(", ", TYPES) + ")");
            types.add(t);
        }
        double seconds = args.getDouble("seconds", 1);
        boolean scalar = args.flag("scalar"), json = args.flag("json");
        args.finish();
        if (!json) System.out.println("bench gemm: " + Simd.describe() + ", " + Parallel.threads() + " threads; best of repeated runs");
        for (int si = 0; si < shapes.size(); si++) {
            int[] s = shapes.get(si);
            int M = s[0], N = s[1], K = s[2];
            if (!labels.isEmpty() && !json) System.out.println("# " + labels.get(si));
            double flops = 2.0 * M * N * K;
            SplittableRandom rnd = new SplittableRandom(1);
            float[] a = random(rnd, M * K), b = random(rnd, K * N), c = new float[M * N];
            report(json, M, N, K, Simd.available() ? "vector" : "scalar-fallback", "f32", flops,
                    KernelTimer.best(seconds, () -> Gemm.sgemm(false, false, M, N, K, 1f, a, 0, K, b, 0, N, 0f, c, 0, N)));
            if (scalar || flops <= SCALAR_MAX_FLOPS)
                report(json, M, N, K, "scalar", "f32", flops,
                        KernelTimer.best(seconds, () -> GemmScalar.sgemm(false, false, M, N, K, 1f, a, 0, K, b, 0, N, 0f, c, 0, N)));
            if (types.isEmpty()) continue;
            float[] w = random(rnd, N * K);
            try (Arena arena = Arena.ofShared()) {
                for (String t : types) {
                    if ((t.equals("q8") || t.equals("q4")) && K % 32 != 0) {
                        if (!json) System.out.printf(Locale.ROOT, "gemm %dx%dx%d linear %s: skipped (K not a multiple of 32)%n", M, N, K, t);
                        continue;
                    }
                    WeightMatrix wm = weight(t, w, N, K, arena);
                    report(json, M, N, K, "linear", t, flops, KernelTimer.best(seconds, () -> Gemm.linear(a, 0, K, M, wm, null, c, 0, N)));
                }
            }
        }
        return 0;
    }

    /** W [N,K] stored as {@code type}, its bytes off-heap like a mapped checkpoint. */
    static WeightMatrix weight(String type, float[] w, int N, int K, Arena arena) {
        return switch (type) {
            case "f32" -> WeightMatrix.of(w, N, K);
            case "f16" -> WeightMatrix.of("f16", DType.F16, N, K, offHeap(Quantize.toF16(w), arena), null);
            case "bf16" -> WeightMatrix.of("bf16", DType.BF16, N, K, offHeap(Quantize.toBF16(w), arena), null);
            case "q8" -> WeightMatrix.of("q8_0", DType.Q8_0, N, K, offHeap(Quantize.toQ8_0(w), arena), null);
            case "q8r" -> WeightMatrix.of("q8_row", DType.Q8_ROW, N, K, offHeap(Quantize.toQ8Row(w, N, K), arena), null);
            case "q4" -> WeightMatrix.of("q4_0", DType.Q4_0, N, K, offHeap(Quantize.toQ4_0(w), arena), null);
            default -> {
                int bits = Integer.parseInt(type.substring(3));
                var p = Quantize.palettize(w, N, K, bits, N, Quantize.uniformLut(w, N, K, bits, N));
                yield WeightMatrix.of(type, DType.PAL, N, K, offHeap(p.indices(), arena), p.palette());
            }
        };
    }

    private static MemorySegment offHeap(byte[] bytes, Arena arena) {
        MemorySegment s = arena.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    private static void report(boolean json, int M, int N, int K, String kernel, String type, double flops, double seconds) {
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mode", "gemm");
            o.put("m", M);
            o.put("n", N);
            o.put("k", K);
            o.put("kernel", kernel);
            o.put("type", type);
            o.put("threads", Parallel.threads());
            o.put("seconds", seconds);
            o.put("gflops", flops / seconds / 1e9);
            System.out.println(Json.write(o));
        } else {
            System.out.printf(Locale.ROOT, "gemm %-15s %-7s %-5s %9.3f ms  %s%n", M + "x" + N + "x" + K, kernel, type, seconds * 1e3,
                    BenchCommand.gflops(flops, seconds));
        }
    }
}
