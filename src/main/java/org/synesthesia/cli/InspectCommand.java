package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.ModelFamily;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** {@code synesthesia inspect FILE}: format, metadata, tensors (name, type, shape) and totals of a checkpoint. */
public final class InspectCommand implements Command {
    static final int MAX_VALUE = 100;

    @Override public String name() { return "inspect"; }

    @Override public String summary() { return "show a checkpoint's format, metadata and tensors"; }

    @Override public Set<String> flags() { return Set.of("json", "full"); }

    @Override
    public String usage() {
        return """
                usage: synesthesia inspect FILE_OR_FOLDER [--filter GLOB]... [--json] [--full]

                Prints the checkpoint's format, its metadata, one line per tensor (name, type, shape), then the
                tensor count, parameter count and bytes. Reads safetensors, PyTorch .pt/.pth/.ckpt/.bin (zip or
                legacy pickle; no code is run), GGUF and whisper.cpp ggml files, and folders of them (Hugging Face
                shards, diffusers pipelines, whose tensors are named COMPONENT/NAME).

                  --filter GLOB  only tensors whose name matches (* any characters, ? one); repeatable
                  --json         one JSON object instead of text
                  --full         list every metadata key (a converted file's per-tensor keys too; without it they are
                                 folded into the tensor rows) and do not shorten long values""";
    }

    @Override
    public int run(Args args) {
        Path path = Path.of(args.positional(0, "FILE"));
        List<String> globs = args.all("filter");
        boolean json = args.flag("json");
        boolean full = args.flag("full");
        args.finish();
        if (args.positionals().size() > 1) throw new org.synesthesia.util.SynesthesiaException("inspect: one file or folder at a time (got " + args.positionals().size() + ")");
        List<Pattern> patterns = new ArrayList<>();
        for (String g : globs) patterns.add(glob(g));
        try (WeightSource src = WeightSources.open(path)) {
            List<StoredTensor> shown = new ArrayList<>();
            for (String n : src.names()) if (patterns.isEmpty() || patterns.stream().anyMatch(p -> p.matcher(n).matches())) shown.add(src.get(n));
            long params = 0, bytes = 0;
            Map<String, long[]> byType = new TreeMap<>();
            for (StoredTensor t : shown) {
                params += t.elements();
                bytes += t.data().byteSize();
                long[] c = byType.computeIfAbsent(typeLabel(t), k -> new long[3]);
                c[0]++;
                c[1] += t.elements();
                c[2] += t.data().byteSize();
            }
            if (json) System.out.println(Json.write(asJson(src, shown, params, bytes)));
            else System.out.print(text(src, shown, params, bytes, byType, full, !patterns.isEmpty()));
        }
        return 0;
    }

    /** Each registered model family the checkpoint holds: {@code id: N tensors (layout)}. */
    static List<String> models(WeightSource src) {
        List<String> out = new ArrayList<>();
        for (ModelFamily f : ModelFamily.all()) {
            if (!f.recognises(src)) continue;
            try {
                NameMapping m = f.names(src);
                out.add(f.id() + ": " + m.canonicalToStored().size() + " tensors (" + m.layout() + ")");
            } catch (SynesthesiaException e) {
                out.add(f.id() + ": recognised, but " + e.getMessage());
            }
        }
        return out;
    }

    private static Map<String, Object> asJson(WeightSource src, List<StoredTensor> shown, long params, long bytes) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", src.description());
        o.put("format", src.format());
        o.put("metadata", src.metadata());
        o.put("models", models(src));
        List<Object> ts = new ArrayList<>();
        for (StoredTensor t : shown) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("dtype", typeLabel(t));
            m.put("shape", t.shape());
            m.put("bytes", t.data().byteSize());
            ts.add(m);
        }
        o.put("tensors", ts);
        o.put("tensor_count", (long) shown.size());
        o.put("parameters", params);
        o.put("bytes", bytes);
        return o;
    }

    private static String text(WeightSource src, List<StoredTensor> shown, long params, long bytes, Map<String, long[]> byType,
                               boolean full, boolean filtered) {
        StringBuilder b = new StringBuilder();
        b.append("file:     ").append(src.description()).append('\n');
        b.append("format:   ").append(src.format()).append('\n');
        Map<String, String> md = src.metadata();
        // a converted file's synesthesia.tensor.NAME.KEY entries: shown in NAME's row unless --full
        Map<String, Map<String, String>> perTensor = full ? Map.of() : perTensorKeys(md, src.names());
        Set<String> foldedKeys = new java.util.HashSet<>();
        perTensor.forEach((name, keys) -> keys.keySet().forEach(k -> foldedKeys.add(GgufWriter.TENSOR_KEY + name + "." + k)));
        int folded = foldedKeys.size();
        b.append("metadata: ").append(md.isEmpty() ? "none" : md.size() + (md.size() == 1 ? " entry" : " entries")).append('\n');
        for (Map.Entry<String, String> e : md.entrySet()) {
            if (foldedKeys.contains(e.getKey())) continue;
            b.append("  ").append(e.getKey()).append(" = ").append(full ? e.getValue() : shorten(e.getValue())).append('\n');
        }
        if (folded > 0) b.append("  (").append(folded).append(" per-tensor ").append(GgufWriter.TENSOR_KEY)
                .append("* entries in the tensor rows; --full lists them)\n");
        List<String> models = models(src);
        b.append("models:   ").append(models.isEmpty() ? "none recognised" : String.join("; ", models)).append('\n');
        int nw = 4, tw = 5;
        for (StoredTensor t : shown) {
            nw = Math.max(nw, t.name().length());
            tw = Math.max(tw, typeLabel(t).length());
        }
        int sw = 5;
        for (StoredTensor t : shown) sw = Math.max(sw, t.shapeString().length());
        String row = "  %-" + nw + "s  %-" + tw + "s  %-" + sw + "s  %s";
        b.append(String.format(Locale.ROOT, row, "name", "dtype", "shape", folded > 0 ? "stored as" : "").stripTrailing()).append('\n');
        for (StoredTensor t : shown) {
            Map<String, String> keys = perTensor.getOrDefault(t.name(), Map.of());
            StringBuilder note = new StringBuilder();
            for (Map.Entry<String, String> k : keys.entrySet()) {
                if (k.getKey().equals("shape")) continue;   // the shape column
                if (!note.isEmpty()) note.append(' ');
                note.append(k.getKey().equals("encoding") ? shorten(k.getValue()) : k.getKey() + "=" + shorten(k.getValue()));
            }
            b.append(String.format(Locale.ROOT, row, t.name(), typeLabel(t), t.shapeString(), note).stripTrailing()).append('\n');
        }
        for (Map.Entry<String, long[]> e : byType.entrySet())
            b.append(String.format(Locale.ROOT, "  %s: %,d tensors, %,d parameters, %,d bytes%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]));
        b.append(String.format(Locale.ROOT, "total: %,d tensors, %,d parameters, %,d bytes (%s)%s%n", shown.size(), params, bytes, human(bytes),
                filtered ? " matching the filter, of " + src.names().size() + " tensors" : ""));
        return b.toString();
    }

    /** {@code synesthesia.tensor.NAME.KEY} entries of tensors in {@code names}: NAME -> (KEY -> value), in file order. */
    static Map<String, Map<String, String>> perTensorKeys(Map<String, String> md, java.util.Collection<String> names) {
        Set<String> known = new java.util.HashSet<>(names);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : md.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(GgufWriter.TENSOR_KEY)) continue;
            String rest = k.substring(GgufWriter.TENSOR_KEY.length());
            // the longest tensor name that the key continues with '.'
            for (int dot = rest.lastIndexOf('.'); dot > 0; dot = rest.lastIndexOf('.', dot - 1)) {
                String name = rest.substring(0, dot);
                if (known.contains(name)) {
                    out.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
                    break;
                }
            }
        }
        return out;
    }

    /** The storage type as shown: {@code PAL4/g64} for a palette of 4-bit indices, 64 rows a table; else the dtype. */
    static String typeLabel(StoredTensor t) {
        if (t.palette() != null) return "PAL" + t.palette().bits() + "/g" + t.palette().groupSize();
        return t.dtype().toString();
    }

    static String shorten(String v) {
        String s = v.replace("\n", "\\n");
        return s.length() <= MAX_VALUE ? s : s.substring(0, MAX_VALUE - 3) + "... (" + s.length() + " characters)";
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A glob over tensor names: {@code *} any characters (dots included), {@code ?} one, the rest literal. */
    static Pattern glob(String g) {
        StringBuilder r = new StringBuilder();
        StringBuilder lit = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!lit.isEmpty()) { r.append(Pattern.quote(lit.toString())); lit.setLength(0); }
                r.append(c == '*' ? ".*" : ".");
            } else lit.append(c);
        }
        if (!lit.isEmpty()) r.append(Pattern.quote(lit.toString()));
        return Pattern.compile(r.toString(), Pattern.DOTALL);
    }
}
