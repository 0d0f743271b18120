package org.synesthesia.translator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Training pairs on disk.
 * <ul>
 * <li>Shards written by {@code embed}: safetensors with {@code clip} (N, Dclip) and {@code clap} (N, Dclap) as F32 and
 *     metadata {@code format = synesthesia-pairs/1}, {@code ids} (a JSON list of N row names) and free-form keys
 *     (source, models, shard).</li>
 * <li>The original work's per-sample text files, in both of its layouts: {@code CLIP Embedding:} / {@code CLAP
 *     Embedding:} blocks with one value a line (numpy {@code savetxt}), and {@code embedding CLIP} / {@code
 *     embedding CLAP} blocks holding a printed torch tensor ({@code tensor([[...]], device=...)}).</li>
 * </ul>
 * A path given to {@link #read} is a shard, a text file, or a folder of either (in name order, numbers by value:
 * {@code muestra_2.txt} before {@code muestra_10.txt}).
 */
public final class PairFiles {
    public static final String FORMAT = "synesthesia-pairs/1";
    private PairFiles() {}

    /** Reads one path: a shard, a per-sample text file, or a folder of shards or of text files. */
    public static EmbeddingPairs read(Path path) {
        if (!Files.exists(path)) throw new SynesthesiaException(path + ": no such file or folder");
        if (!Files.isDirectory(path))
            return path.toString().endsWith(".txt") ? readText(path) : readShard(path);
        List<Path> shards = list(path, ".safetensors"), texts = list(path, ".txt");
        if (!shards.isEmpty()) return concat(shards, PairFiles::readShard);
        if (!texts.isEmpty()) return concat(texts, PairFiles::readText);
        throw new SynesthesiaException(path + ": holds no pair shards (*.safetensors) or per-sample text files (*.txt)");
    }

    /** All paths' pairs, one after another. */
    public static EmbeddingPairs readAll(List<Path> paths) {
        List<EmbeddingPairs> parts = new ArrayList<>();
        List<String> what = new ArrayList<>();
        for (Path p : paths) { parts.add(read(p)); what.add(p.toString()); }
        return EmbeddingPairs.concat(parts, what);
    }

    private interface Reader { EmbeddingPairs read(Path p); }

    private static EmbeddingPairs concat(List<Path> files, Reader r) {
        List<EmbeddingPairs> parts = new ArrayList<>();
        List<String> what = new ArrayList<>();
        for (Path f : files) { parts.add(r.read(f)); what.add(f.toString()); }
        return EmbeddingPairs.concat(parts, what);
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p))
                    .sorted((a, b) -> naturalCompare(a.getFileName().toString(), b.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new SynesthesiaException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /**
     * Name order with runs of digits compared as numbers ({@code muestra_2.txt} before {@code muestra_10.txt}, as the
     * original work numbered its files), ties broken by plain string order.
     */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int ei = i, ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) ei++;
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) ej++;
                String da = a.substring(i, ei).replaceFirst("^0+(?=.)", ""), db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) return c;
                i = ei;
                j = ej;
            } else {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    /** Reads a shard written by {@link #writeShard}. */
    public static EmbeddingPairs readShard(Path path) {
        try (SafeTensors st = SafeTensors.open(path)) {
            Map<String, String> meta = st.metadata();
            if (!FORMAT.equals(meta.get("format")))
                throw new SynesthesiaException(path + ": not a pair shard (its metadata lacks format=" + FORMAT + ")");
            StoredTensor clip = st.find("clip").orElseThrow(() -> new SynesthesiaException(path + ": pair shard without a 'clip' tensor"));
            StoredTensor clap = st.find("clap").orElseThrow(() -> new SynesthesiaException(path + ": pair shard without a 'clap' tensor"));
            if (clip.rank() != 2 || clap.rank() != 2 || clip.shape()[0] != clap.shape()[0])
                throw new SynesthesiaException(path + ": clip " + clip.shapeString() + " and clap " + clap.shapeString()
                        + " must be (N, D) with the same N");
            int n = (int) clip.shape()[0];
            List<String> ids = new ArrayList<>(n);
            String idJson = meta.get("ids");
            if (idJson != null) {
                Object parsed;
                try {
                    parsed = Json.parse(idJson);
                } catch (IllegalArgumentException e) {
                    throw new SynesthesiaException(path + ": metadata 'ids' is not JSON (" + e.getMessage() + ")");
                }
                if (!(parsed instanceof List<?> l) || l.size() != n)
                    throw new SynesthesiaException(path + ": metadata 'ids' is not a list of " + n + " names");
                for (Object o : l) ids.add(String.valueOf(o));
            } else {
                for (int i = 0; i < n; i++) ids.add(path.getFileName() + "#" + i);
            }
            float[] a = clip.toFloats(), b = clap.toFloats();
            checkFinite(path, a);
            checkFinite(path, b);
            return new EmbeddingPairs(a, (int) clip.shape()[1], b, (int) clap.shape()[1], ids);
        }
    }

    /** Writes pairs as one shard (atomically), with {@code metadata} beside the format and the row ids. */
    public static void writeShard(Path path, EmbeddingPairs pairs, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        if (metadata != null) meta.putAll(metadata);
        meta.put("ids", Json.write(pairs.ids()));
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("clip", Tensor.of(pairs.clip(), pairs.count(), pairs.clipDim()));
        t.put("clap", Tensor.of(pairs.clap(), pairs.count(), pairs.clapDim()));
        SafeTensors.write(path, t, meta);
    }

    /** Writes one pair in the original work's {@code CLIP Embedding:} layout (numpy savetxt, one value a line). */
    public static void writeText(Path path, float[] clip, float[] clap) throws IOException {
        StringBuilder b = new StringBuilder("CLIP Embedding:\n");
        for (float v : clip) b.append(savetxt(v)).append('\n');
        b.append("\n\nCLAP Embedding:\n");
        for (float v : clap) b.append(savetxt(v)).append('\n');
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    /** numpy's default savetxt format, {@code %.18e}, of the value widened to float64. */
    static String savetxt(float v) {
        return String.format(Locale.ROOT, "%.18e", (double) v);
    }

    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?(?:nan|inf)");

    /** Reads one per-sample text file in either of the original work's layouts. */
    public static EmbeddingPairs readText(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SynesthesiaException(path + ": cannot read (" + e.getMessage() + ")");
        }
        float[] clip, clap;
        int a = text.indexOf("CLIP Embedding:"), b = text.indexOf("CLAP Embedding:");
        if (a >= 0 && b > a) {
            clip = numbers(path, "CLIP", text.substring(a + "CLIP Embedding:".length(), b), false);
            clap = numbers(path, "CLAP", text.substring(b + "CLAP Embedding:".length()), false);
        } else {
            a = text.indexOf("embedding CLIP");
            b = text.indexOf("embedding CLAP");
            if (a < 0 || b <= a)
                throw new SynesthesiaException(path + ": not a pair text file (expected 'CLIP Embedding:' then"
                        + " 'CLAP Embedding:', or 'embedding CLIP' then 'embedding CLAP')");
            clip = numbers(path, "CLIP", text.substring(a + "embedding CLIP".length(), b), true);
            clap = numbers(path, "CLAP", text.substring(b + "embedding CLAP".length()), true);
        }
        return new EmbeddingPairs(clip, clip.length, clap, clap.length, List.of(path.getFileName().toString()));
    }

    /** The numbers of one block; a printed tensor is read up to the bracket that closes its first '['. */
    private static float[] numbers(Path path, String which, String block, boolean printedTensor) {
        if (printedTensor) {
            int open = block.indexOf('[');
            if (open < 0) throw new SynesthesiaException(path + ": the " + which + " block holds no tensor([...])");
            int depth = 0, end = -1;
            for (int i = open; i < block.length() && end < 0; i++) {
                char c = block.charAt(i);
                if (c == '[') depth++;
                else if (c == ']' && --depth == 0) end = i;
            }
            if (end < 0) throw new SynesthesiaException(path + ": the " + which + " tensor's brackets are not closed (truncated?)");
            block = block.substring(open, end + 1);
            if (block.contains("...")) throw new SynesthesiaException(path + ": the " + which + " tensor was printed abbreviated ('...')");
        }
        Matcher m = NUMBER.matcher(block);
        List<Float> vals = new ArrayList<>();
        while (m.find()) {
            float v;
            try {
                v = Float.parseFloat(m.group().replace("nan", "NaN").replace("inf", "Infinity"));
            } catch (NumberFormatException e) {
                throw new SynesthesiaException(path + ": '" + m.group() + "' in the " + which + " block is not a number");
            }
            if (!Float.isFinite(v)) throw new SynesthesiaException(path + ": the " + which + " embedding holds " + m.group());
            vals.add(v);
        }
        if (vals.isEmpty()) throw new SynesthesiaException(path + ": the " + which + " block is empty");
        float[] out = new float[vals.size()];
        for (int i = 0; i < out.length; i++) out[i] = vals.get(i);
        return out;
    }

    private static void checkFinite(Path path, float[] v) {
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i])) throw new SynesthesiaException(path + ": value " + i + " is " + v[i]);
    }
}
