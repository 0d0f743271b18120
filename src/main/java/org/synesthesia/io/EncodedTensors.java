package org.synesthesia.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The logical tensors of a converted GGUF file ({@code weights-converter/FORMAT.md}): a weight with key
 * {@code synesthesia.tensor.NAME.encoding} is stored as an I8 tensor {@code NAME} and read as
 * <ul>
 * <li>{@code pal}: {@link DType#PAL} of logical shape {@code .shape}; the I8 tensor is {@code [rows, ceil(cols*bits/8)]}
 *     packed indices, {@code NAME.lut} is F32 or F16 {@code [rows/group_size, 2^bits]} centroids;</li>
 * <li>{@code q8_row}: {@link DType#Q8_ROW} of logical shape {@code .shape}; the I8 tensor is {@code [rows, 4 + cols]}.</li>
 * </ul>
 * {@code rows = shape[0]}, {@code cols} = product of the other dimensions. The logical tensor is a view of the
 * I8 tensor's mapped bytes; only the (small) lookup table is decoded onto the heap. Lookup tables are not listed.
 */
final class EncodedTensors {
    static final String PREFIX = "synesthesia.tensor.";
    private static final String ENCODING = ".encoding";

    private EncodedTensors() {}

    /** The file's tensors in file order with encoded weights replaced by their logical view and tables hidden. */
    static Map<String, StoredTensor> logical(Path path, Map<String, GgufValue> values, Map<String, StoredTensor> raw) {
        Map<String, StoredTensor> encoded = new LinkedHashMap<>();
        java.util.Set<String> hidden = new java.util.HashSet<>();
        for (Map.Entry<String, GgufValue> e : values.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX) || !key.endsWith(ENCODING) || key.length() <= PREFIX.length() + ENCODING.length()) continue;
            String name = key.substring(PREFIX.length(), key.length() - ENCODING.length());
            if (e.getValue().type() != GgufValue.Type.STRING) throw error(path, name, "encoding is a " + e.getValue().type() + ", not a string");
            String encoding = (String) e.getValue().value();
            StoredTensor t = switch (encoding) {
                case "pal" -> palette(path, name, values, raw);
                case "q8_row" -> q8Row(path, name, values, raw);
                default -> throw error(path, name, "unknown encoding '" + encoding + "' (known: pal, q8_row)");
            };
            encoded.put(name, t);
            if (t.dtype() == DType.PAL) hidden.add(name + ".lut");
        }
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : raw.entrySet()) {
            if (hidden.contains(e.getKey())) continue;
            out.put(e.getKey(), encoded.getOrDefault(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static StoredTensor palette(Path path, String name, Map<String, GgufValue> values, Map<String, StoredTensor> raw) {
        long[] shape = shape(path, name, values);
        long rows = shape[0], cols = cols(shape);
        long bits = integer(path, name, values, "bits");
        if (bits != 2 && bits != 4 && bits != 6 && bits != 8) throw error(path, name, "palette bits " + bits + " (must be 2, 4, 6 or 8)");
        long group = integer(path, name, values, "group_size");
        if (group <= 0 || rows % group != 0) throw error(path, name, "palette group size " + group + " does not divide its " + rows + " rows");
        StoredTensor idx = indexTensor(path, name, raw, rows, Palette.rowBytes(cols, (int) bits));
        StoredTensor lut = raw.get(name + ".lut");
        if (lut == null) throw error(path, name, "palette lookup table " + name + ".lut is missing");
        long entries = 1L << bits;
        if (lut.dtype() != DType.F32 && lut.dtype() != DType.F16) throw error(path, name, "lookup table is " + lut.dtype() + " (must be F32 or F16)");
        if (!Arrays.equals(lut.shape(), new long[] {rows / group, entries}))
            throw error(path, name, "lookup table has shape " + lut.shapeString() + ", expected " + Arrays.toString(new long[] {rows / group, entries}));
        if (lut.elements() > Integer.MAX_VALUE) throw error(path, name, "lookup table of " + lut.elements() + " entries is too large");
        Palette p = new Palette((int) bits, (int) group, lut.toFloats());
        return new StoredTensor(name, DType.PAL, shape, idx.data(), p, path.toString());
    }

    private static StoredTensor q8Row(Path path, String name, Map<String, GgufValue> values, Map<String, StoredTensor> raw) {
        long[] shape = shape(path, name, values);
        StoredTensor idx = indexTensor(path, name, raw, shape[0], DType.q8RowBytes(cols(shape)));
        return new StoredTensor(name, DType.Q8_ROW, shape, idx.data(), path.toString());
    }

    /** The I8 tensor NAME, checked to be {@code [rows, rowBytes]}. */
    private static StoredTensor indexTensor(Path path, String name, Map<String, StoredTensor> raw, long rows, long rowBytes) {
        StoredTensor t = raw.get(name);
        if (t == null) throw error(path, name, "encoded tensor has metadata but no I8 tensor " + name);
        if (t.dtype() != DType.I8) throw error(path, name, "encoded tensor is stored as " + t.dtype() + " (must be I8)");
        long[] expected = {rows, rowBytes};
        if (!Arrays.equals(t.shape(), expected))
            throw error(path, name, "stored I8 shape " + t.shapeString() + " does not match " + rows + " rows x " + rowBytes + " bytes " + Arrays.toString(expected));
        if (t.data().byteSize() != Math.multiplyExact(rows, rowBytes))
            throw error(path, name, "stored " + t.data().byteSize() + " bytes, expected " + rows * rowBytes);
        return t;
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

    private static long cols(long[] shape) {
        long c = 1;
        for (int i = 1; i < shape.length; i++) c *= shape[i];
        return c;
    }

    private static SynesthesiaException error(Path path, String name, String what) {
        return SynesthesiaException.inFile(path, "tensor " + name + ": " + what);
    }
}
