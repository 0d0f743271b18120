package org.synesthesia.cli.bench;

import org.synesthesia.whisper.CrossAttentionCache;
import org.synesthesia.whisper.DecoderState;
import org.synesthesia.whisper.RandomWhisper;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperConfig;
import org.synesthesia.whisper.WhisperDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.synesthesia.cli.Args;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code bench encoder} and {@code bench decoder}: Whisper at official sizes with random weights generated in
 * memory ({@link RandomWhisper}; no download): the encoder's time on one 30 s window, and the decoder's ms per
 * token with the KV cache (greedy steps after the 4-token start-of-transcript prefix).
 */
public abstract sealed class WhisperBench implements BenchMode permits WhisperBench.Encoder, WhisperBench.Decoder {
    @Override
    public String usage() {
        return "usage: synesthesia bench " + name() + " [--size tiny,base | --model FILE] [--dtype f16|f32|q8_0] [--runs N]"
                + (this instanceof Decoder ? " [--tokens N] [--beams B]" : "") + "\n"
                + "  --size    comma-separated official sizes (tiny, base, small, medium, large-v3, ...; default tiny,base)\n"
                + "  --model   time a checkpoint instead (a converted .gguf, any Whisper file or folder), weights as stored\n"
                + "  --dtype   weight storage: f16 (as released checkpoints, default), f32 or q8_0 (matrices; the rest f16)\n"
                + "  --runs    timed runs after one warm-up (default 3)"
                + (this instanceof Decoder ? "\n  --tokens  decoder steps per run (default 64)"
                + "\n  --beams   also time B sequences stepped together (beam search), per step and against greedy\n"
                + "The decoder line gives the bytes one token reads (weights as stored, cross-attention keys and values),\n"
                + "the read bandwidth (bench bandwidth; -D" + Bandwidth.PROPERTY + "=GB/s gives it) and the floor bytes / bandwidth." : "");
    }

    @Override
    public int run(Args args) {
        java.nio.file.Path model = args.path("model");
        String sizes = args.get("size", "tiny,base");
        String dt = args.get("dtype", "f16");
        int runs = args.getInt("runs", 3);
        int tokens = this instanceof Decoder ? args.getInt("tokens", 64) : 0;
        beams = this instanceof Decoder ? args.getInt("beams", 1) : 1;
        args.finish();
        DType dtype = switch (dt.toLowerCase(Locale.ROOT)) {
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            case "q8_0", "q8" -> DType.Q8_0;
            default -> throw new SynesthesiaException("bench " + name() + ": --dtype must be f16, f32 or q8_0, not '" + dt + "'");
        };
        if (beams < 1 || beams > 16) throw new SynesthesiaException("bench " + name() + ": --beams must be in [1, 16]");
        if (runs < 1) throw new SynesthesiaException("bench " + name() + ": --runs must be >= 1");
        if (model != null) {
            try (Whisper w = Whisper.load(model)) {
                String types = w.source().names().stream().map(n -> w.source().get(n).dtype()).filter(DType::isQuantized)
                        .map(DType::toString).distinct().sorted().reduce((a, b) -> a + "+" + b).orElse("");
                System.out.println(measure(model.getFileName().toString() + (types.isEmpty() ? "" : " (" + types + ")"), w, null, runs, tokens));
            }
            return 0;
        }
        List<String> names = new ArrayList<>();
        for (String s : sizes.split(",")) {
            String n = s.strip().toLowerCase(Locale.ROOT);
            if (!WhisperConfig.OFFICIAL.containsKey(n))
                throw new SynesthesiaException("bench " + name() + ": unknown size '" + s + "' (known: " + String.join(", ", WhisperConfig.OFFICIAL.keySet()) + ")");
            names.add(n);
        }
        for (String n : names) {
            WhisperConfig c = WhisperConfig.OFFICIAL.get(n);
            try (Whisper w = RandomWhisper.create(c, dtype, 1234)) {
                System.out.println(measure(n, w, dtype, runs, tokens));
            }
        }
        return 0;
    }

    /** Sequences stepped together by the decoder bench (--beams). */
    int beams = 1;

    abstract String measure(String size, Whisper w, DType dtype, int runs, int tokens);

    /** Encoder FLOPs per window: convolutions, per layer 24 d^2 per position (projections, MLP) and 4 ctx d (attention). */
    static double encoderFlops(WhisperConfig c) {
        double d = c.nAudioState(), ctx = c.nAudioCtx();
        double conv = 2 * (2 * ctx * 3 * c.nMels() * d + ctx * 3 * d * d);
        return conv + c.nAudioLayer() * ctx * (24 * d * d + 4 * ctx * d);
    }

    public static final class Encoder extends WhisperBench {
        @Override
        public String name() { return "encoder"; }

        @Override
        public String summary() { return "whisper encoder on one 30 s window, random weights at official sizes"; }

        @Override
        String measure(String size, Whisper w, DType dtype, int runs, int tokens) {
            Tensor mel = RandomWhisper.pseudoMel(w.config().nMels());
            w.encode(mel);
            double best = Double.MAX_VALUE, sum = 0;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                w.encode(mel);
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.min(best, s);
                sum += s;
            }
            return String.format(Locale.ROOT, "encoder %-8s %s  30 s window: best %.1f ms, mean %.1f ms, %s", size, dtype == null ? "as stored" : dtype,
                    best * 1e3, sum / runs * 1e3, BenchCommand.gflops(encoderFlops(w.config()), best));
        }
    }

    public static final class Decoder extends WhisperBench {
        @Override
        public String name() { return "decoder"; }

        @Override
        public String summary() { return "whisper decoder ms/token (KV cache), random weights at official sizes"; }

        @Override
        String measure(String size, Whisper w, DType dtype, int runs, int tokens) {
            WhisperConfig c = w.config();
            if (tokens < 1 || tokens + 4 > c.nTextCtx()) throw new SynesthesiaException("bench decoder: --tokens must be in [1, " + (c.nTextCtx() - 4) + "]");
            Tensor audio = w.encode(RandomWhisper.pseudoMel(c.nMels()));
            CrossAttentionCache xa = w.decoder().crossAttention(audio);
            double best = steps(w, xa, 1, runs, tokens);
            // per token: 2 x (decoder matrices + n_vocab x d output) FLOPs, attention aside
            double d = c.nTextState();
            double flops = 2 * (c.nTextLayer() * 16 * d * d + (double) c.nVocab() * d);
            long bytes = w.decoder().bytesPerToken(xa, 4 + tokens / 2);
            double gbs = Bandwidth.get().gbs(), floor = bytes / gbs / 1e6;
            String line = String.format(Locale.ROOT, "decoder %-8s %s  %.2f ms/token (%.0f tokens/s), %s; %.1f MB/token, floor %.2f ms at %.1f GB/s %s (%.0f%% of floor speed)",
                    size, dtype == null ? "as stored" : dtype, best, 1000 / best, BenchCommand.gflops(flops, best / 1e3), bytes / 1e6, floor, gbs,
                    Bandwidth.get().source(), 100 * floor / best);
            if (beams > 1) {
                double step = steps(w, xa, beams, runs, tokens);
                line += String.format(Locale.ROOT, "%n decoder %-8s %s  %d beams: %.2f ms/step (%.2f ms per beam-token), %.2fx greedy per token",
                        size, dtype == null ? "as stored" : dtype, beams, step, step / beams, step / best);
            }
            return line;
        }

        /** Best ms per decoder step of {@code G} sequences stepped together, each after the 4-token prefix. */
        private static double steps(Whisper w, CrossAttentionCache xa, int G, int runs, int tokens) {
            WhisperConfig c = w.config();
            int V = c.nVocab();
            float[] logits = new float[G * V];
            double best = Double.MAX_VALUE;
            int[][] next = new int[G][1];
            int[][] prefix = new int[G][];
            for (int g = 0; g < G; g++) prefix[g] = new int[] {50258, 50259, 50359, 50363};
            for (int i = 0; i <= runs; i++) {
                DecoderState[] s = new DecoderState[G];
                for (int g = 0; g < G; g++) s[g] = w.decoder().newState(xa);
                w.decoder().lastLogits(prefix, s, logits);
                long t0 = System.nanoTime();
                for (int t = 0; t < tokens; t++) {
                    for (int g = 0; g < G; g++) next[g][0] = Math.min(WhisperDecoder.argmax(logits, g * V, V), 50256);
                    if (G == 1) w.decoder().lastLogits(next[0], s[0], logits);
                    else w.decoder().lastLogits(next, s, logits);
                }
                double ms = (System.nanoTime() - t0) / 1e6 / tokens;
                if (i > 0) best = Math.min(best, ms);
            }
            return best;
        }
    }
}
