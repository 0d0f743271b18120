package org.synesthesia.convert;

import org.synesthesia.cli.Args;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.util.SynesthesiaException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.synesthesia.cli.Command;

/** {@code synesthesia convert INPUT --out model.gguf [--type ...]}: see {@link #usage()}. */
public final class ConvertCommand implements Command {
    @Override public String name() { return "convert"; }

    @Override public String summary() { return "convert a Whisper, Stable Diffusion, AudioLDM or CLIP image encoder checkpoint into one GGUF file (f16, q8, palettized)"; }

    @Override public java.util.Set<String> flags() { return java.util.Set.of("quantize-embeddings"); }

    @Override
    public String usage() {
        return """
                usage: synesthesia convert INPUT --out MODEL.gguf [--type f32|f16|q8|q8c|pal8|pal6|pal4|pal2]
                                           [--group-size N] [--keep-f16 GLOB]... [--quantize-embeddings] [--seed N] [--tokenizer PATH]
                                           [--prediction-type epsilon|v_prediction] [--report FILE.tsv]

                Writes one GGUF v3 file that is all a model needs: weights, config, tokenizer, Whisper's mel
                filters, the SD scheduler config (weights-converter/FORMAT.md). The engine maps it and computes
                from the stored types directly.

                INPUT: Whisper (openai .pt, Hugging Face folder or safetensors, whisper.cpp ggml .bin) or Stable
                Diffusion 1.x/2.x (single-file .ckpt/.safetensors with LDM names, a diffusers folder, or one of
                its components), or a CLIP image encoder (transformers CLIPVisionModelWithProjection, or the vision
                half of a CLIPModel; folder or file); the format is recognised by content. For benchmarks, random:sd15-unet,
                random:sd21-unet and random:whisper-SIZE (tiny ... large-v3, turbo; needs --tokenizer) stand for
                full-size random weights made in memory.

                Tensors are written under canonical names and shapes, whatever the input's layout: Whisper as
                openai's names; Stable Diffusion as unet/ and vae/ + diffusers' names and text_encoder/ + Hugging
                Face's CLIP names (e.g. unet/down_blocks.0.resnets.0.conv1.weight); a CLIP image encoder as
                Hugging Face's vision_model.* and visual_projection.weight; in natural order (layers.2
                before layers.10). Tensors the model does not use (EMA copies, other components) are left out.
                So a model converts to the same file whichever layout it came in.

                  --type T           what weight matrices become (default f16):
                                       f32, f16;
                                       q8    int8 per block of 32 (ggml Q8_0) where the innermost dimension is whole
                                             blocks, else (convolutions) int8 per output channel
                                       q8c   int8 per output channel (float32 scale per row)
                                       palN  k-means palette of 2^N centroids (N = 8, 6, 4, 2) per tensor or group
                                     biases and norms stay F32; embeddings and tensors under 2048 values F16
                  --group-size N     palettes: output channels sharing one table (default 0 = one per tensor); a
                                     size that does not divide a tensor's rows becomes its largest divisor below N
                  --keep-f16 GLOB    weights whose canonical name (as in the file and the report) matches stay F16
                                     (* any characters; repeatable, or a comma-separated list), e.g. --keep-f16 'vae/*'
                  --quantize-embeddings  token and position embedding tables take --type too (they stay F16
                                     otherwise); Whisper's token embedding is also its output projection
                  --seed N           k-means seed (default 0); each palette is seeded from N and its tensor's canonical
                                     name, so the same seed gives the same file
                  --tokenizer PATH   Whisper: folder with multilingual.tiktoken/gpt2.tiktoken; SD single files: a
                                     CLIP tokenizer folder or bpe_simple_vocab_16e6.txt.gz (default: beside the
                                     input, then $SYNESTHESIA_TOKENIZERS)
                  --prediction-type  SD single files: epsilon (default) or v_prediction (SD 2.x 768-v)
                  --report FILE      also write the per-tensor report as tab-separated values

                Prints one line per tensor (canonical name, shape, type before -> after, bytes, reconstruction SNR
                in dB; --report rows alike) and the totals; progress goes to stderr.""";
    }

    @Override
    public int run(Args args) throws Exception {
        Path input = Path.of(args.positional(0, "INPUT"));
        Path out = Path.of(args.require("out"));
        TargetType type = TargetType.parse(args.get("type", "f16"));
        int group = args.getInt("group-size", 0);
        List<String> keep = args.all("keep-f16");
        long seed = args.getLong("seed", 0);
        Path tokenizer = args.path("tokenizer");
        String pred = args.get("prediction-type", null);
        Path report = args.path("report");
        boolean embeddings = args.flag("quantize-embeddings");
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("convert: one INPUT at a time (got " + args.positionals().size() + ")");
        if (group < 0) throw new SynesthesiaException("convert: --group-size must be >= 0, not " + group);
        if (group > 0 && !type.palettized()) throw new SynesthesiaException("convert: --group-size applies to palettes (--type pal8/pal6/pal4/pal2), not " + type.id());
        PredictionType prediction = null;
        if (pred != null) {
            prediction = PredictionType.byName(pred);
            if (prediction == null || prediction == PredictionType.SAMPLE)
                throw new SynesthesiaException("convert: --prediction-type must be epsilon or v_prediction, not '" + pred + "'");
        }
        if (report != null) AtomicFiles.checkWritable(report);
        Converter.Options o = new Converter.Options(type, group, keep, seed, tokenizer, prediction, Parallel.threads(), embeddings);
        Converter.Result r = Converter.convert(input, out, o);
        print(System.out, input, r, type);
        if (report != null) AtomicFiles.write(report, os -> os.write(tsv(r).getBytes(StandardCharsets.UTF_8)));
        return 0;
    }

    static void print(PrintStream p, Path input, Converter.Result r, TargetType type) {
        int width = Math.min(72, r.layers().stream().mapToInt(l -> l.name().length()).max().orElse(10));
        for (LayerReport l : r.layers())
            p.printf(Locale.ROOT, "%-" + width + "s %-18s %6s -> %-10s %10s -> %-10s %s%n", l.name(), l.shapeString(), l.from(), l.to(),
                    bytes(l.bytesBefore()), bytes(l.bytesAfter()), snr(l.snrDb()));
        p.println(summary(input, r, type));
    }

    /**
     * How {@code after} compares with {@code before}: {@code 3.98x smaller} when it shrank by at least 5%,
     * {@code N% smaller} / {@code N% larger} for smaller changes and growth, {@code same size} within 0.5%.
     */
    static String change(long before, long after) {
        if (before <= 0 || after <= 0) return "size change unknown";
        double ratio = (double) after / before;
        if (ratio <= 0.95) return String.format(Locale.ROOT, "%.2fx smaller", 1 / ratio);
        long pct = Math.round(Math.abs(ratio - 1) * 100);
        if (pct == 0) return "same size";
        return pct + "% " + (ratio < 1 ? "smaller" : "larger");
    }

    /** The totals: tensor and file bytes before and after, and the SNR spread of the lossy tensors. */
    static String summary(Path input, Converter.Result r, TargetType type) {
        StringBuilder b = new StringBuilder();
        long before = r.tensorBytesBefore(), after = r.tensorBytesAfter();
        b.append(String.format(Locale.ROOT, "%s: %s -> %s as %s: %d tensors %s -> %s (%s); files %s -> %s (%s)",
                r.architecture(), input, r.out(), type.id(), r.layers().size(), bytes(before), bytes(after),
                change(before, after), bytes(r.inputBytes()), bytes(r.fileBytes()), change(r.inputBytes(), r.fileBytes())));
        List<LayerReport> lossy = new ArrayList<>();
        for (LayerReport l : r.layers()) if (l.lossy()) lossy.add(l);
        if (!lossy.isEmpty()) {
            lossy.sort(Comparator.comparingDouble(LayerReport::snrDb));
            double mean = lossy.stream().mapToDouble(LayerReport::snrDb).average().orElse(0);
            b.append(String.format(Locale.ROOT, "%nSNR over %d changed tensors: min %.1f dB (%s), median %.1f dB, mean %.1f dB",
                    lossy.size(), lossy.get(0).snrDb(), lossy.get(0).name(), lossy.get(lossy.size() / 2).snrDb(), mean));
        } else {
            b.append(String.format(Locale.ROOT, "%nevery value is kept exactly"));
        }
        if (!r.dropped().isEmpty())
            b.append(String.format(Locale.ROOT, "%nleft out %d tensors not used for inference (e.g. %s)", r.dropped().size(), r.dropped().get(0)));
        return b.toString();
    }

    static String tsv(Converter.Result r) {
        StringBuilder b = new StringBuilder("name\tshape\tfrom\tto\tbytes_before\tbytes_after\tsnr_db\n");
        for (LayerReport l : r.layers())
            b.append(l.name()).append('\t').append(l.shapeString()).append('\t').append(l.from()).append('\t').append(l.to()).append('\t')
                    .append(l.bytesBefore()).append('\t').append(l.bytesAfter()).append('\t').append(snr(l.snrDb()).strip()).append('\n');
        return b.toString();
    }

    static String snr(double db) {
        if (Double.isNaN(db)) return "";
        if (db == Double.POSITIVE_INFINITY) return "exact";
        return String.format(Locale.ROOT, "%.1f dB", db);
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1 << 20));
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

}
