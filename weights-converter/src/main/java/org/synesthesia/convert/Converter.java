package org.synesthesia.convert;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.Snr;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.RandomWhisper;
import org.synesthesia.whisper.WhisperConfig;

/**
 * Converts a checkpoint (any format {@link WeightSources} opens) into one GGUF file (FORMAT.md): the model's
 * metadata ({@link ModelMetadata}), then every tensor of the model under its canonical name and shape, in
 * canonical order ({@link CanonicalTensors}), in its {@link TensorPlan} encoding; each palette's k-means seed
 * derives from {@code --seed} and the tensor's canonical name. So a model gives the same tensors whichever layout
 * it came in. Tensors are decoded, quantized and measured a few at a time on worker threads while the file is
 * written in order, so only those few are ever on the heap; the source stays mapped.
 */
public final class Converter {
    /** Format version written as {@code synesthesia.format_version}. */
    public static final int FORMAT_VERSION = 1;

    /**
     * @param type       what weight matrices become
     * @param groupSize  palette rows per table (0: one per tensor)
     * @param keepF16    globs of weights to keep F16
     * @param seed       k-means seed; each tensor's palette is seeded from it and the tensor's canonical name
     * @param tokenizer  tokenizer folder or file for inputs that carry none (null: look beside the input, then
     *                   {@code $SYNESTHESIA_TOKENIZERS})
     * @param prediction SD single files: the scheduler's prediction type (null: epsilon)
     * @param threads    worker threads
     * @param quantizeEmbeddings embedding tables take {@code type} too (else F16)
     */
    public record Options(TargetType type, int groupSize, List<String> keepF16, long seed, Path tokenizer,
                          PredictionType prediction, int threads, boolean quantizeEmbeddings) {
        public Options {
            keepF16 = List.copyOf(keepF16);
            if (groupSize < 0) throw new SynesthesiaException("convert: --group-size must be >= 0, got " + groupSize);
            if (threads < 1) threads = 1;
        }

        public static Options of(TargetType type) {
            return new Options(type, 0, List.of(), 0, null, null, Parallel.threads(), false);
        }
    }

    /** What a conversion did: sizes before and after, each tensor's report, what was left out. */
    public record Result(Path out, String architecture, long inputBytes, long fileBytes, List<LayerReport> layers, List<String> dropped) {
        public long tensorBytesBefore() {
            return layers.stream().mapToLong(LayerReport::bytesBefore).sum();
        }

        public long tensorBytesAfter() {
            return layers.stream().mapToLong(LayerReport::bytesAfter).sum();
        }
    }

    private Converter() {}

    public static Result convert(Path input, Path out, Options o) throws IOException {
        if (!input.toString().startsWith(RANDOM) && Files.exists(out) && Files.exists(input) && Files.isSameFile(input, out))
            throw SynesthesiaException.inFile(out, "the output would overwrite the input");
        AtomicFiles.checkWritable(out); // before minutes of work: a folder, a missing or read-only parent
        try (WeightSource src = open(input)) {
            ModelMetadata meta = ModelMetadata.of(input, src, o);
            CanonicalTensors canonical = CanonicalTensors.of(src, meta.parts());
            List<CanonicalTensors.Entry> entries = canonical.tensors();
            List<StoredTensor> kept = entries.stream().map(CanonicalTensors.Entry::tensor).toList();
            if (kept.isEmpty()) throw SynesthesiaException.inFile(input, "no tensors to convert");
            TensorPlan plan = new TensorPlan(o.type(), o.groupSize(), o.keepF16(), o.quantizeEmbeddings());
            List<Encoding> encodings = new ArrayList<>();
            for (StoredTensor t : kept) encodings.add(plan.encoding(t));

            GgufWriter w = new GgufWriter();
            w.put("general.architecture", meta.architecture());
            w.put("general.name", input.toAbsolutePath().normalize().getFileName().toString());
            w.alignment(32);
            w.put("synesthesia.format_version", GgufValue.u32(FORMAT_VERSION));
            w.put("synesthesia.converter.type", o.type().id());
            w.put("synesthesia.converter.group_size", GgufValue.u32(o.groupSize()));
            w.put("synesthesia.converter.seed", GgufValue.u64(o.seed()));
            w.put("synesthesia.converter.source_format", src.format());
            meta.write(w);

            LayerReport[] reports = new LayerReport[kept.size()];
            long totalElements = kept.stream().mapToLong(StoredTensor::elements).sum();
            try (Progress progress = Progress.start("convert " + o.type().id(), Math.max(1, (totalElements + 999_999) / 1_000_000), "M params");
                 Prefetch<Done> work = new Prefetch<>(kept.size(), o.threads(), 2 * o.threads(),
                         i -> encode(entries.get(i), encodings.get(i), CanonicalTensors.paletteSeed(o.seed(), kept.get(i).name())))) {
                long total = Math.max(1, (totalElements + 999_999) / 1_000_000);
                long[] done = {0, 0}; // elements written, progress units reported
                IntFunction<Done> next = i -> {
                    Done d = work.get(i);
                    reports[i] = d.report();
                    done[0] += kept.get(i).elements();
                    long units = i == kept.size() - 1 ? total : Math.min(total, done[0] / 1_000_000);
                    if (units > done[1]) {
                        progress.advance(units - done[1]);
                        done[1] = units;
                    }
                    return d;
                };
                for (int i = 0; i < kept.size(); i++) {
                    StoredTensor t = kept.get(i);
                    final int index = i;
                    switch (encodings.get(i)) {
                        case Encoding.Plain p -> w.tensor(t.name(), p.dtype(), t.shape(), () -> next.apply(index).bytes());
                        case Encoding.Q8Row q -> w.q8Row(t.name(), t.shape(), () -> next.apply(index).bytes());
                        case Encoding.Pal p -> w.palettized(t.name(), t.shape(), p.bits(), p.groupSize(), () -> next.apply(index).palettized());
                    }
                }
                w.write(out);
            } catch (IllegalStateException e) {
                throw new SynesthesiaException(input + ": " + e.getMessage());
            }
            return new Result(out, meta.architecture(), input.toString().startsWith(RANDOM) ? r0(kept) : sizeOnDisk(input), Files.size(out), List.of(reports), canonical.dropped());
        }
    }

    /**
     * Inputs named {@code random:sd15-unet}, {@code random:sd21-unet} or {@code random:whisper-SIZE} (an official size):
     * full-size F16 random weights made in memory, for benchmarks of converted files.
     */
    public static final String RANDOM = "random:";

    static WeightSource open(Path input) {
        String s = input.toString();
        if (!s.startsWith(RANDOM)) return WeightSources.open(input);
        String what = s.substring(RANDOM.length());
        if (what.startsWith("whisper-") && WhisperConfig.OFFICIAL.containsKey(what.substring("whisper-".length())))
            return RandomWhisper.weights(WhisperConfig.OFFICIAL.get(what.substring("whisper-".length())), DType.F16, 1234);
        return switch (what) {
            case "sd15-unet" -> UNet2DConditionModel.randomCheckpoint(UNetConfig.sd1(), 1);
            case "sd21-unet" -> UNet2DConditionModel.randomCheckpoint(UNetConfig.sd2(), 1);
            default -> throw new SynesthesiaException("convert: unknown random model '" + s + "' (random:sd15-unet, random:sd21-unet, random:whisper-"
                    + String.join("|", WhisperConfig.OFFICIAL.keySet()) + ")");
        };
    }

    /** One encoded tensor: its bytes (or palette) and report. */
    record Done(MemorySegment bytes, Quantize.Palettized palettized, LayerReport report) {}

    /** Encodes {@code entry}'s tensor as {@code e} and measures the result against the source values. */
    static Done encode(CanonicalTensors.Entry entry, Encoding e, long seed) {
        StoredTensor t = entry.tensor();
        String stored = entry.storedName();
        long before = t.data().byteSize();
        String from = t.dtype() == DType.PAL ? "PAL" + t.palette().bits() : t.dtype().toString();
        if (e instanceof Encoding.Plain p && (p.dtype() == t.dtype() || !p.dtype().isFloat() && !p.dtype().isQuantized())) {
            // kept as stored: the mapped bytes themselves
            double snr = p.dtype().isFloat() || p.dtype().isQuantized() ? Double.POSITIVE_INFINITY : Double.NaN;
            return new Done(t.data(), null, new LayerReport(t.name(), t.shape(), from, e.label(), before, t.data().byteSize(), snr));
        }
        float[] w;
        try {
            w = t.toFloats();
        } catch (ArithmeticException ex) {
            throw new SynesthesiaException(t.source() + ": tensor " + stored + " " + t.shapeString() + " is too large to convert in one piece");
        }
        for (float v : w)
            if (!Float.isFinite(v)) throw new SynesthesiaException(t.source() + ": tensor " + stored + " holds a non-finite value (" + v + ")");
        long[] s = t.shape();
        int rows = t.rank() == 0 ? 1 : Math.toIntExact(s[0]);
        int cols = rows == 0 ? 0 : w.length / rows;
        return switch (e) {
            case Encoding.Plain p -> {
                if (!p.dtype().isWeight()) throw new IllegalStateException(stored + ": cannot encode as " + p.dtype());
                byte[] b = p.dtype().format().encode(w, rows, cols);
                MemorySegment seg = MemorySegment.ofArray(b);
                yield new Done(seg, null, report(t, from, e, before, b.length, w, new StoredTensor(t.name(), p.dtype(), s, seg, t.source())));
            }
            case Encoding.Q8Row q -> {
                byte[] b = DType.Q8_ROW.format().encode(w, rows, cols);
                MemorySegment seg = MemorySegment.ofArray(b);
                yield new Done(seg, null, report(t, from, e, before, b.length, w, new StoredTensor(t.name(), DType.Q8_ROW, s, seg, t.source())));
            }
            case Encoding.Pal p -> {
                Quantize.Palettized pal = Quantize.palettizeKMeans(w, rows, cols, p.bits(), p.groupSize(), seed);
                StoredTensor back = new StoredTensor(t.name(), DType.PAL, s, MemorySegment.ofArray(pal.indices()), pal.palette(), t.source());
                yield new Done(null, pal, report(t, from, e, before, e.bytes(s), w, back));
            }
        };
    }

    private static LayerReport report(StoredTensor t, String from, Encoding e, long before, long after, float[] ref, StoredTensor written) {
        return new LayerReport(t.name(), t.shape(), from, e.label(), before, after, Snr.db(ref, written.toFloats()));
    }

    private static long r0(List<StoredTensor> ts) {
        return ts.stream().mapToLong(t -> t.data().byteSize()).sum();
    }

    /** A file's size, or the total size of a folder's files. */
    static long sizeOnDisk(Path p) throws IOException {
        if (!Files.isDirectory(p)) return Files.size(p);
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException ex) {
                    return 0;
                }
            }).sum();
        }
    }
}
