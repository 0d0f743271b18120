package org.synesthesia.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SafeText;
import org.synesthesia.util.SynesthesiaException;

/**
 * safetensors: {@code u64 LE header length N}, {@code N bytes of JSON} ({@code name -> {dtype, shape,
 * data_offsets:[begin,end]}} plus an optional {@code __metadata__} string map), then the raw little-endian data;
 * offsets are relative to the end of the header. The file is mapped, never read onto the heap.
 */
public final class SafeTensors implements WeightSource {
    private final MappedFile file;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(MappedFile file, Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path path) {
        return MappedFile.openWith(path, SafeTensors::parse);
    }

    private static SafeTensors parse(MappedFile f) {
        Path path = f.path();
        if (f.size() < 8) throw SynesthesiaException.inFile(path, "truncated: not a safetensors file (" + f.size() + " bytes, the header length alone is 8)");
        long n = f.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        if (n <= 0 || n > 100_000_000L) throw SynesthesiaException.inFile(path, "not a safetensors file (header length " + Long.toUnsignedString(n) + ")");
        if (n > f.size() - 8) throw SynesthesiaException.inFile(path, "truncated: header of " + n + " bytes but the file has " + f.size() + " (" + (f.size() - 8) + " after the length)");
        byte[] hb = f.segment().asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        Map<String, Object> header;
        try {
            header = Json.parseObject(new String(hb, StandardCharsets.UTF_8), true);
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(path, "not a safetensors file (header is not JSON: " + e.getMessage() + ")");
        }
        long dataStart = 8 + n;
        long dataSize = f.size() - dataStart;
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        record Span(String name, long begin, long end) {}
        List<Span> spans = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue() instanceof Map<?, ?> m) m.forEach((k, v) -> meta.put(String.valueOf(k), String.valueOf(v)));
                else throw SynesthesiaException.inFile(path, "__metadata__ is not an object of strings");
                continue;
            }
            String q = SafeText.quote(name);
            if (!(e.getValue() instanceof Map<?, ?> info)) throw SynesthesiaException.inFile(path, "tensor " + q + ": header entry is not an object");
            DType dtype = dtype(path, q, info.get("dtype"));
            long[] shape = longs(path, q, "shape", info.get("shape"));
            long[] off = longs(path, q, "data_offsets", info.get("data_offsets"));
            if (off.length != 2 || off[0] < 0 || off[1] < off[0])
                throw SynesthesiaException.inFile(path, "damaged tensor header: tensor " + q + " has data_offsets " + java.util.Arrays.toString(off) + " (need [begin, end] with 0 <= begin <= end)");
            long expect = TensorSizes.bytes(path, q, dtype, shape);
            if (off[1] - off[0] != expect)
                throw SynesthesiaException.inFile(path, "damaged tensor header: tensor " + q + " has " + (off[1] - off[0]) + " bytes for " + dtype + " shape " + java.util.Arrays.toString(shape) + " (needs " + expect + ")");
            if (off[1] > dataSize)
                throw SynesthesiaException.inFile(path, "truncated: tensor " + q + " ends at byte " + (dataStart + off[1]) + " but the file has " + f.size());
            spans.add(new Span(q, off[0], off[1]));
            out.put(name, new StoredTensor(name, dtype, shape, f.segment().asSlice(dataStart + off[0], off[1] - off[0]), path.toString()));
        }
        checkLayout(path, spans.stream().map(x -> new long[] {x.begin(), x.end()}).toList(), spans.stream().map(Span::name).toList(), dataSize);
        return new SafeTensors(f, Collections.unmodifiableMap(out), Collections.unmodifiableMap(meta));
    }

    /**
     * The format's layout rule: the tensors' {@code [begin, end)} ranges, sorted by begin, tile the data section
     * {@code [0, dataSize)} exactly: no overlap, no hole between tensors, nothing after the last one.
     */
    private static void checkLayout(Path path, List<long[]> ranges, List<String> names, long dataSize) {
        Integer[] order = new Integer[ranges.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Long.compare(ranges.get(a)[0], ranges.get(b)[0]);
            return c != 0 ? c : Long.compare(ranges.get(a)[1], ranges.get(b)[1]);
        });
        long at = 0;
        String prev = null;
        for (int i : order) {
            long[] r = ranges.get(i);
            if (r[0] < at)
                throw SynesthesiaException.inFile(path, "damaged tensor header: tensor " + names.get(i) + " at data bytes [" + r[0] + ", " + r[1]
                        + ") overlaps tensor " + prev + " (which ends at " + at + ")");
            if (r[0] > at)
                throw SynesthesiaException.inFile(path, "damaged tensor header: " + (r[0] - at) + " unused data bytes before tensor " + names.get(i)
                        + " (data bytes [" + at + ", " + r[0] + ") belong to no tensor)");
            at = r[1];
            prev = names.get(i);
        }
        if (at != dataSize)
            throw SynesthesiaException.inFile(path, "damaged: the tensors cover " + at + " data bytes but the file has " + dataSize
                    + " after its header (" + (dataSize - at) + " bytes belong to no tensor; is the header length right?)");
    }

    private static DType dtype(Path path, String name, Object v) {
        if (!(v instanceof String s)) throw SynesthesiaException.inFile(path, "tensor " + name + ": missing dtype");
        return switch (s) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F64" -> DType.F64;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            case "I16" -> DType.I16;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            case "BOOL" -> DType.BOOL;
            default -> throw SynesthesiaException.inFile(path, "tensor " + name + ": unsupported dtype " + s);
        };
    }

    private static long[] longs(Path path, String name, String field, Object v) {
        if (!(v instanceof List<?> l)) throw SynesthesiaException.inFile(path, "tensor " + name + ": missing " + field);
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) {
            if (!(l.get(i) instanceof Long x)) throw SynesthesiaException.inFile(path, "tensor " + name + ": " + field + " holds a non-integer");
            a[i] = x;
        }
        return a;
    }

    @Override public String description() { return file.path().toString(); }
    @Override public String format() { return "safetensors"; }
    @Override public Collection<String> names() { return tensors.keySet(); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return metadata; }
    @Override public void close() { file.close(); }

    /** Writes float32 tensors (row-major, in the map's order) and string metadata atomically to {@code path}. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long pos = 0;
        List<Tensor> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = 4L * t.size();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", t.shape());
            info.put("data_offsets", List.of(pos, pos + bytes));
            header.put(e.getKey(), info);
            pos += bytes;
            order.add(t);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(path, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) out.write(' ');
            for (Tensor t : order) writeFloats(out, t.toArray());
        });
    }

    private static void writeFloats(OutputStream out, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            if (!b.hasRemaining()) { out.write(b.array(), 0, b.position()); b.clear(); }
            b.putFloat(x);
        }
        out.write(b.array(), 0, b.position());
    }

    /** Reads every tensor of a safetensors file as float32 (for small files: inputs, goldens). */
    public static Map<String, Tensor> readAll(Path path) {
        try (SafeTensors st = open(path)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String n : st.names()) out.put(n, st.get(n).toTensor());
            return out;
        }
    }

    /** Raw bytes of a mapped tensor, for tests. */
    static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}
