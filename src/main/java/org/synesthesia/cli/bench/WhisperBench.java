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
        return "usage: synesthesia bench " + name() + " [--size tiny,base | --model FILE] [--dtype f16|f32] [--runs N]"
                + (this instanceof Decoder ? " [--tokens N]" : "") + "\n"
                + "  --size    comma-separated official sizes (tiny, base, small, medium, large-v3, ...; default tiny,base)\n"
                + "  --model   time a checkpoint instead (a converted .gguf, any Whisper file or folder), weights as stored\n"
                + "  --dtype   weight storage: f16 (as released checkpoints, default) or f32\n"
                + "  --runs    timed runs after one warm-up (default 3)"
                + (this instanceof Decoder ? "\n  --tokens  decoder steps per run (default 64)" : "");
    }

    @Override
    public int run(Args args) {
        java.nio.file.Path model = args.path("model");
        String sizes = args.get("size", "tiny,base");
        String dt = args.get("dtype", "f16");
        int runs = args.getInt("runs", 3);
        int tokens = this instanceof Decoder ? args.getInt("tokens", 64) : 0;
        args.finish();
        DType dtype = switch (dt.toLowerCase(Locale.ROOT)) {
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new SynesthesiaException("bench " + name() + ": --dtype must be f16 or f32, not '" + dt + "'");
        };
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
            float[] logits = new float[c.nVocab()];
            double best = Double.MAX_VALUE;
            for (int i = 0; i <= runs; i++) {
                DecoderState s = w.decoder().newState(xa);
                w.decoder().lastLogits(new int[] {50258, 50259, 50359, 50363}, s, logits);
                long t0 = System.nanoTime();
                for (int t = 0; t < tokens; t++) {
                    int next = WhisperDecoder.argmax(logits, 0, c.nVocab());
                    w.decoder().lastLogits(new int[] {Math.min(next, 50256)}, s, logits);
                }
                double ms = (System.nanoTime() - t0) / 1e6 / tokens;
                if (i > 0) best = Math.min(best, ms);
            }
            // per token: 2 x (decoder matrices + n_vocab x d output) FLOPs, attention aside
            double d = c.nTextState();
            double flops = 2 * (c.nTextLayer() * 16 * d * d + (double) c.nVocab() * d);
            return String.format(Locale.ROOT, "decoder %-8s %s  %.2f ms/token (%.0f tokens/s), %s", size, dtype == null ? "as stored" : dtype, best,
                    1000 / best, BenchCommand.gflops(flops, best / 1e3));
        }
    }
}
