package org.synesthesia.io;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.GgufSource;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.WeightFormat;
import org.synesthesia.util.SynesthesiaException;

/**
 * The logical tensors of a converted GGUF file ({@code weights-converter/FORMAT.md}): a weight with key
 * {@code synesthesia.tensor.NAME.encoding} is stored as an I8 tensor {@code NAME} (and what else its type needs) and
 * read back by the {@link WeightFormat} whose {@link WeightFormat#ggufEncoding()} that key names ({@code pal},
 * {@code q8_row}), as a view of the I8 tensor's mapped bytes of logical shape {@code .shape}. Here: the keys every
 * encoding shares ({@code .encoding}, {@code .shape}), and the listing: tensors a format read as part of a weight
 * (PAL lookup tables) are not listed.
 */
final class EncodedTensors {
    static final String PREFIX = "synesthesia.tensor.";
    private static final String ENCODING = ".encoding";

    private EncodedTensors() {}

    /** The file's tensors in file order with encoded weights replaced by their logical view and their parts hidden. */
    static Map<String, StoredTensor> logical(Path path, Map<String, GgufValue> values, Map<String, StoredTensor> raw) {
        Map<String, StoredTensor> encoded = new LinkedHashMap<>();
        Set<String> hidden = new HashSet<>();
        for (Map.Entry<String, GgufValue> e : values.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX) || !key.endsWith(ENCODING) || key.length() <= PREFIX.length() + ENCODING.length()) continue;
            String name = key.substring(PREFIX.length(), key.length() - ENCODING.length());
            if (e.getValue().type() != GgufValue.Type.STRING) throw error(path, name, "encoding is a " + e.getValue().type() + ", not a string");
            String encoding = (String) e.getValue().value();
            WeightFormat format = format(encoding);
            if (format == null) throw error(path, name, "unknown encoding '" + encoding + "' (known: " + String.join(", ", encodings()) + ")");
            Set<String> parts = new HashSet<>();
            encoded.put(name, format.readGguf(new Source(path, values, raw, name, parts), name));
            hidden.addAll(parts);
        }
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : raw.entrySet()) {
            if (hidden.contains(e.getKey())) continue;
            out.put(e.getKey(), encoded.getOrDefault(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** The weight format whose GGUF encoding is {@code encoding}, or null. */
    private static WeightFormat format(String encoding) {
        for (DType t : DType.values())
            if (t.isWeight() && encoding.equals(t.format().ggufEncoding())) return t.format();
        return null;
    }

    private static Set<String> encodings() {
        Set<String> known = new TreeSet<>();
        for (DType t : DType.values())
            if (t.isWeight() && t.format().ggufEncoding() != null) known.add(t.format().ggufEncoding());
        return known;
    }

    /** The file as the format of weight {@code weight} reads it; tensors read under other names go to {@code parts}. */
    private record Source(Path path, Map<String, GgufValue> values, Map<String, StoredTensor> raw, String weight, Set<String> parts) implements GgufSource {
        @Override
        public String description() {
            return path.toString();
        }

        @Override
        public StoredTensor tensor(String name) {
            StoredTensor t = raw.get(name);
            if (t != null && !name.equals(weight)) parts.add(name);
            return t;
        }

        @Override
        public long[] shape(String name) {
            return EncodedTensors.shape(path, name, values);
        }

        @Override
        public long integer(String name, String field) {
            return EncodedTensors.integer(path, name, values, field);
        }

        @Override
        public RuntimeException error(String name, String what) {
            return EncodedTensors.error(path, name, what);
        }
    }

    private static long[] shape(Path path, String name, Map<String, GgufValue> values) {
        GgufValue v = values.get(PREFIX + name + ".shape");
        if (v == null) throw error(path, name, "missing " + PREFIX + name + ".shape");
        if (v.type() != GgufValue.Type.ARRAY || !v.elementType().isInteger()) throw error(path, name, "shape is not an integer array");
        List<?> items = (List<?>) v.value();
        if (items.isEmpty() || items.size() > 8) throw error(path, name, "shape has " + items.size() + " dimensions (1 to 8 allowed)");
        long[] s = new long[items.size()];
        long n = 1;
        for (int i = 0; i < s.length; i++) {
            s[i] = (Long) items.get(i);
            if (s[i] <= 0) throw error(path, name, "shape " + v.asText() + " has a dimension that is not positive");
            try {
                n = Math.multiplyExact(n, s[i]);
            } catch (ArithmeticException e) {
                throw error(path, name, "shape " + v.asText() + " is too large");
            }
        }
        return s;
    }

    private static long integer(Path path, String name, Map<String, GgufValue> values, String field) {
        GgufValue v = values.get(PREFIX + name + "." + field);
        if (v == null) throw error(path, name, "missing " + PREFIX + name + "." + field);
        if (!v.type().isInteger()) throw error(path, name, field + " is a " + v.type() + ", not an integer");
        return v.asLong();
    }

    private static SynesthesiaException error(Path path, String name, String what) {
        return SynesthesiaException.inFile(path, "tensor " + name + ": " + what);
    }
}
