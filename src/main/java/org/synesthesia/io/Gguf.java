package org.synesthesia.io;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SafeText;
import org.synesthesia.util.SynesthesiaException;

/**
 * GGUF (v2 and v3) files, little-endian:
 * <pre>
 * u32 magic "GGUF", u32 version, u64 tensor_count, u64 kv_count
 * kv_count x { string key, u32 value_type, value }          string = u64 length + UTF-8 bytes
 *                                                          array  = u32 element_type, u64 count, elements
 * tensor_count x { string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset }
 * padding to general.alignment (default 32), then the data section; each tensor at data_start + offset
 * </pre>
 * {@code ne[0]} is the innermost (fastest) dimension, so shapes are reversed into PyTorch order here. Tensor
 * types F32, F16, BF16, Q8_0, Q4_0 (and the integer/F64 types) are views of the mapping; others are an
 * "unsupported tensor type" error naming the tensor.
 *
 * <p>Palettized and Q8_ROW weights are not ggml types: a converted file stores each as an I8 tensor (a palette
 * also as a {@code NAME.lut} table) described by {@code synesthesia.tensor.NAME.*} keys; {@link EncodedTensors}
 * reassembles them into one {@link DType#PAL} or {@link DType#Q8_ROW} {@link StoredTensor} over the mapped bytes,
 * and hides the tables ({@code weights-converter/FORMAT.md}).
 */
public final class Gguf implements WeightSource {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final int DEFAULT_ALIGNMENT = 32;

    private final MappedFile file;
    private final int version;
    private final Map<String, GgufValue> values;
    private final Map<String, String> metadata;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, StoredTensor> raw;
    private final long dataStart;

    private Gguf(MappedFile file, int version, Map<String, GgufValue> values, Map<String, StoredTensor> raw, long dataStart) {
        this.file = file;
        this.version = version;
        this.values = values;
        this.raw = raw;
        this.tensors = Collections.unmodifiableMap(EncodedTensors.logical(file.path(), values, raw));
        this.dataStart = dataStart;
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, v.asText()));
        this.metadata = Collections.unmodifiableMap(m);
    }

    public static Gguf open(Path path) {
        return MappedFile.openWith(path, Gguf::parse);
    }

    private static Gguf parse(MappedFile f) {
        Path path = f.path();
        Cursor c = new Cursor(path, f.segment());
        if (f.size() < 4 || c.i32("magic") != MAGIC) throw SynesthesiaException.inFile(path, "not a GGUF file (wrong magic)");
        int version = c.i32("version");
        if (version == 1) throw SynesthesiaException.inFile(path, "GGUF version 1 is not supported (convert it to v3)");
        if (version != 2 && version != 3)
            throw SynesthesiaException.inFile(path, Integer.reverseBytes(version) == 3 || Integer.reverseBytes(version) == 2
                    ? "big-endian GGUF is not supported" : "unsupported GGUF version " + Integer.toUnsignedString(version));
        long nTensors = c.i64("tensor count");
        long nKv = c.i64("metadata count");
        // each metadata entry takes at least 13 bytes (key length, type, one byte of value), each tensor 24
        // (name length, dimension count, type, offset): claimed counts the file cannot hold are damage
        if (nTensors < 0 || nKv < 0 || nTensors > c.remaining() / 24 || nKv > c.remaining() / 13
                || nTensors * 24 + nKv * 13 > c.remaining())
            throw SynesthesiaException.inFile(path, "truncated or damaged GGUF header: " + Long.toUnsignedString(nTensors) + " tensors and "
                    + Long.toUnsignedString(nKv) + " metadata entries cannot fit in a file of " + f.size() + " bytes");
        Map<String, GgufValue> values = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = string(c, "metadata key");
            String q = SafeText.quote(key);
            int type = c.i32("type of " + q);
            if (values.containsKey(key)) throw SynesthesiaException.inFile(path, "damaged GGUF header: metadata key " + q + " appears twice");
            values.put(key, value(c, q, type, 0));
        }
        long alignment = DEFAULT_ALIGNMENT;
        GgufValue a = values.get("general.alignment");
        if (a != null) {
            if (!a.type().isInteger() || a.asLong() <= 0 || Long.bitCount(a.asLong()) != 1)
                throw SynesthesiaException.inFile(path, "general.alignment " + a.asText() + " is not a power of two");
            alignment = a.asLong();
        }
        record Info(String name, String q, long[] ne, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = string(c, "tensor name");
            String q = SafeText.quote(name);
            long nDims = c.u32("dimension count of " + q);
            if (nDims > 8) throw TensorSizes.damaged(path, q, "has " + nDims + " dimensions (at most 8)");
            long[] ne = new long[(int) nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = c.i64("dimensions of " + q);
                if (ne[d] < 0) throw TensorSizes.damaged(path, q, "has a negative dimension " + ne[d]);
            }
            int type = c.i32("type of " + q);
            long offset = c.i64("offset of " + q);
            infos.add(new Info(name, q, ne, type, offset));
        }
        long dataStart = align(c.position(), alignment);
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Info in : infos) {
            DType dt = GgmlType.dtype(in.type());
            if (dt == null)
                throw SynesthesiaException.inFile(path, "tensor " + in.q() + " has unsupported tensor type " + GgmlType.name(in.type())
                        + " (ggml type " + in.type() + "; supported: F32, F16, BF16, Q8_0, Q4_0, I8-I64, F64)");
            long n = TensorSizes.elements(path, in.q(), in.ne());
            if (dt.blockSize > 1 && (in.ne().length == 0 || in.ne()[0] % dt.blockSize != 0))
                throw SynesthesiaException.inFile(path, "tensor " + in.q() + ": " + dt + " rows of " + (in.ne().length == 0 ? 1 : in.ne()[0]) + " are not whole blocks of " + dt.blockSize);
            if (in.offset() < 0 || in.offset() % alignment != 0)
                throw SynesthesiaException.inFile(path, "tensor " + in.q() + " at offset " + in.offset() + " is not aligned to " + alignment);
            if (tensors.containsKey(in.name())) throw SynesthesiaException.inFile(path, "two tensors are named " + in.q());
            long bytes = TensorSizes.bytesFor(path, in.q(), dt, n, in.ne());
            if (in.offset() > f.size() - dataStart)
                throw SynesthesiaException.inFile(path, "truncated: tensor " + in.q() + " starts at byte " + Long.toUnsignedString(dataStart + in.offset())
                        + " but the file has " + f.size());
            MemorySegment data = f.slice(dataStart + in.offset(), bytes, "tensor " + in.q());
            long[] shape = new long[in.ne().length];
            for (int d = 0; d < shape.length; d++) shape[d] = in.ne()[shape.length - 1 - d];
            tensors.put(in.name(), new StoredTensor(in.name(), dt, shape, data, path.toString()));
        }
        return new Gguf(f, version, Collections.unmodifiableMap(values), Collections.unmodifiableMap(tensors), dataStart);
    }

    static long align(long p, long alignment) {
        return (p + alignment - 1) / alignment * alignment;
    }

    private static String string(Cursor c, String what) {
        long n = c.i64("length of " + what);
        if (n < 0 || n > c.remaining()) c.need(n < 0 ? Long.MAX_VALUE : n, what);
        return c.utf8(n, what);
    }

    private static GgufValue value(Cursor c, String key, int typeId, int depth) {
        GgufValue.Type t = GgufValue.Type.of(typeId);
        if (t == null) throw c.error("metadata " + key + " has unknown value type " + typeId);
        String what = "value of " + key;
        return switch (t) {
            case UINT8 -> GgufValue.u8(c.u8(what));
            case INT8 -> GgufValue.i8(c.i8(what));
            case UINT16 -> GgufValue.u16(c.u16(what));
            case INT16 -> GgufValue.i16(c.i16(what));
            case UINT32 -> GgufValue.u32(c.u32(what));
            case INT32 -> GgufValue.i32(c.i32(what));
            case UINT64 -> GgufValue.u64(c.i64(what));
            case INT64 -> GgufValue.i64(c.i64(what));
            case FLOAT32 -> GgufValue.f32(c.f32(what));
            case FLOAT64 -> GgufValue.f64(c.f64(what));
            case BOOL -> {
                int b = c.u8(what);
                if (b > 1) throw c.error("metadata " + key + " has bool value " + b);
                yield GgufValue.bool(b == 1);
            }
            case STRING -> GgufValue.string(string(c, what));
            case ARRAY -> {
                if (depth > 4) throw c.error("metadata " + key + " nests arrays too deeply");
                int et = c.i32("element type of " + key);
                GgufValue.Type elem = GgufValue.Type.of(et);
                if (elem == null) throw c.error("metadata " + key + " has unknown array element type " + et);
                long n = c.i64("length of " + key);
                long min = minBytes(elem); // each element takes at least this many bytes
                if (n < 0 || n > c.remaining() / min)
                    throw c.error("damaged GGUF header: metadata " + key + " claims " + Long.toUnsignedString(n) + " array elements of type " + elem
                            + " but only " + c.remaining() + " bytes remain");
                List<Object> items = new ArrayList<>((int) Math.min(n, 1 << 20));
                for (long i = 0; i < n; i++) {
                    GgufValue v = value(c, key, et, depth + 1);
                    items.add(elem == GgufValue.Type.ARRAY ? v : v.value());
                }
                yield GgufValue.array(elem, items);
            }
        };
    }

    /** The fewest bytes one GGUF value of type {@code t} takes (strings and arrays: their u64 length). */
    private static long minBytes(GgufValue.Type t) {
        return switch (t) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64, STRING -> 8;
            case ARRAY -> 12;
        };
    }

    public int version() { return version; }

    /** Typed metadata in file order. */
    public Map<String, GgufValue> values() { return values; }

    /** Byte offset of the data section in the file. */
    public long dataStart() { return dataStart; }

    /**
     * The file's own ggml tensors, as stored: encoded weights as their I8 tensors and {@code NAME.lut} tables
     * included. {@link #names()} and {@link #find} give the logical view (see {@link EncodedTensors}).
     */
    public Map<String, StoredTensor> rawTensors() { return raw; }

    @Override public String description() { return file.path().toString(); }
    @Override public String format() { return "gguf"; }
    @Override public Collection<String> names() { return tensors.keySet(); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return metadata; }
    @Override public void close() { file.close(); }

    @Override
    public String toString() {
        return "Gguf[" + file.path() + ", v" + version + ", " + tensors.size() + " tensors, " + Arrays.toString(values.keySet().toArray()) + "]";
    }
}
