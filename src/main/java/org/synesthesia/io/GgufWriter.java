package org.synesthesia.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.GgufSink;
import org.synesthesia.tensor.PalFormat;
import org.synesthesia.tensor.Q8RowFormat;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.WeightFormat;

/**
 * Writes GGUF v3 (layout in {@link Gguf}): metadata of every GGUF type, then tensors of any type ggml has an id
 * for (F32, F16, BF16, Q8_0, Q4_0, I8-I64, F64), each starting on a multiple of {@code general.alignment}
 * (default 32) from the aligned data section. Shapes are given in PyTorch order and written reversed.
 * The file is written atomically. Tensor bytes are the caller's (e.g. from {@link org.synesthesia.tensor.Quantize}
 * or a reader's mapping) and must stay valid until {@link #write(Path)} returns, or are made by a {@link Producer}
 * while the file is written, one tensor after another in the order they were added, so a converter need hold only
 * the tensors it is working on.
 *
 * <p>The two encodings without a ggml type ({@link DType#PAL}, {@link DType#Q8_ROW}) are written as the
 * converted-file contract ({@code weights-converter/FORMAT.md}) says: an I8 tensor under the weight's name (plus
 * an F32 {@code NAME.lut} for PAL) and {@code synesthesia.tensor.NAME.*} keys.
 */
public final class GgufWriter {
    /** Makes a tensor's bytes when the file is written. */
    @FunctionalInterface
    public interface Producer {
        MemorySegment produce() throws IOException;
    }

    /** Makes a palettized tensor (indices and table) when the file is written. */
    @FunctionalInterface
    public interface PalProducer {
        Quantize.Palettized produce() throws IOException;
    }

    /** Key prefix of the per-tensor encoding keys. */
    public static final String TENSOR_KEY = "synesthesia.tensor.";

    private record Pending(String name, DType dtype, long[] shape, long byteSize, Producer data) {}

    private final Map<String, GgufValue> values = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public GgufWriter put(String key, GgufValue value) {
        if (key.equals("general.alignment")) {
            long a = value.asLong();
            if (value.type() != GgufValue.Type.UINT32 || a <= 0 || Long.bitCount(a) != 1)
                throw new IllegalArgumentException("general.alignment must be a UINT32 power of two");
        }
        values.put(key, value);
        return this;
    }

    public GgufWriter put(String key, String value) { return put(key, GgufValue.string(value)); }

    public GgufWriter alignment(int bytes) { return put("general.alignment", GgufValue.u32(bytes)); }

    /** Adds a tensor: {@code data} is exactly its little-endian bytes in row-major (PyTorch) order. */
    public GgufWriter tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        long need = plainBytes(name, dtype, shape);
        if (data.byteSize() != need)
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + dtype + " of " + Arrays.toString(shape) + " (needs " + need + ")");
        return add(name, dtype, shape, need, () -> data);
    }

    /** Adds a tensor of a ggml type whose bytes {@code data} makes at write time. */
    public GgufWriter tensor(String name, DType dtype, long[] shape, Producer data) {
        return add(name, dtype, shape, plainBytes(name, dtype, shape), data);
    }

    /**
     * Adds a stored tensor as it is: ggml types as themselves, PAL and Q8_ROW in their encoded form (the bytes
     * are the tensor's own; PAL tables are written as F32), each as its {@link WeightFormat} says.
     */
    public GgufWriter tensor(StoredTensor t) {
        if (!t.dtype().isWeight()) return tensor(t.name(), t.dtype(), t.shape(), t.data());
        t.dtype().format().writeGguf(sink, t.name(), t.shape(), t.palette(), t::data);
        return this;
    }

    /**
     * Adds a Q8_ROW weight of logical shape {@code shape} (rows = shape[0]): an I8 tensor [rows, 4 + cols] whose
     * bytes {@code data} makes at write time, and its encoding keys.
     */
    public GgufWriter q8Row(String name, long[] shape, Producer data) {
        Q8RowFormat.INSTANCE.writeGguf(sink, name, shape, null, data::produce);
        return this;
    }

    /**
     * Adds a palettized weight of logical shape {@code shape}: an I8 index tensor [rows, ceil(cols*bits/8)], an F32
     * table {@code NAME.lut} [rows/groupSize, 2^bits] and its encoding keys. {@code data} is called once, when the
     * index tensor is written; its palette must have {@code bits} and {@code groupSize}.
     */
    public GgufWriter palettized(String name, long[] shape, int bits, int groupSize, PalProducer data) {
        PalFormat.INSTANCE.writeGguf(sink, name, shape, bits, groupSize, data::produce);
        return this;
    }

    /** What the weight formats write through: tensors of ggml types and {@code synesthesia.tensor.NAME.*} keys. */
    private final GgufSink sink = new GgufSink() {
        @Override
        public void tensor(String name, DType dtype, long[] shape, GgufSink.Bytes data) {
            add(name, dtype, shape, plainBytes(name, dtype, shape), data::get);
        }

        @Override
        public void key(String name, String field, String value) {
            put(TENSOR_KEY + name + "." + field, GgufValue.string(value));
        }

        @Override
        public void key(String name, String field, int value) {
            put(TENSOR_KEY + name + "." + field, GgufValue.u32(value));
        }

        @Override
        public void key(String name, String field, long[] values) {
            List<Long> items = new ArrayList<>();
            for (long v : values) items.add(v);
            put(TENSOR_KEY + name + "." + field, GgufValue.array(GgufValue.Type.UINT64, items));
        }
    };

    private static long plainBytes(String name, DType dtype, long[] shape) {
        GgmlType.id(dtype); // rejects PAL and Q8_ROW
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension");
            n = Math.multiplyExact(n, d);
        }
        if (dtype.blockSize > 1 && (shape.length == 0 || shape[shape.length - 1] % dtype.blockSize != 0))
            throw new IllegalArgumentException(name + ": " + dtype + " needs the last dimension to be a multiple of " + dtype.blockSize);
        return dtype.bytesFor(n);
    }

    private GgufWriter add(String name, DType dtype, long[] shape, long byteSize, Producer data) {
        if (tensors.putIfAbsent(name, new Pending(name, dtype, shape.clone(), byteSize, data)) != null)
            throw new IllegalArgumentException("two tensors named " + name);
        return this;
    }

    /** Bytes the file will have (header, padding and data), known before it is written. */
    public long fileSize() {
        long alignment = alignment();
        long pos = 0;
        for (Pending t : tensors.values()) pos = Gguf.align(pos + t.byteSize(), alignment);
        return Gguf.align(header().length, alignment) + pos;
    }

    private long alignment() {
        return values.containsKey("general.alignment") ? values.get("general.alignment").asLong() : Gguf.DEFAULT_ALIGNMENT;
    }

    public GgufWriter tensor(String name, DType dtype, long[] shape, byte[] data) {
        return tensor(name, dtype, shape, MemorySegment.ofArray(data));
    }

    public void write(Path path) throws IOException {
        long alignment = alignment();
        byte[] header = header();
        AtomicFiles.write(path, out -> {
            out.write(header);
            zeros(out, Gguf.align(header.length, alignment) - header.length);
            long pos = 0;
            for (Pending t : tensors.values()) {
                MemorySegment data = t.data().produce();
                if (data.byteSize() != t.byteSize())
                    throw new IllegalStateException(t.name() + ": produced " + data.byteSize() + " bytes, declared " + t.byteSize());
                copy(data, out);
                long end = pos + t.byteSize();
                pos = Gguf.align(end, alignment);
                zeros(out, pos - end);
            }
        });
    }

    private byte[] header() {
        long alignment = alignment();
        Header h = new Header();
        h.i32(Gguf.MAGIC);
        h.i32(3);
        h.i64(tensors.size());
        h.i64(values.size());
        for (Map.Entry<String, GgufValue> e : values.entrySet()) {
            h.string(e.getKey());
            h.i32(e.getValue().type().id());
            h.value(e.getValue());
        }
        long offset = 0;
        for (Pending t : tensors.values()) {
            h.string(t.name());
            h.i32(t.shape().length);
            for (int d = t.shape().length - 1; d >= 0; d--) h.i64(t.shape()[d]);
            h.i32(GgmlType.id(t.dtype()));
            h.i64(offset);
            offset = Gguf.align(offset + t.byteSize(), alignment);
        }
        return h.toByteArray();
    }

    private static void copy(MemorySegment s, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 20];
        for (long p = 0; p < s.byteSize(); p += buf.length) {
            int n = (int) Math.min(buf.length, s.byteSize() - p);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, p, buf, 0, n);
            out.write(buf, 0, n);
        }
    }

    private static void zeros(OutputStream out, long n) throws IOException {
        for (long i = 0; i < n; i++) out.write(0);
    }

    /** The little-endian header being built. */
    private static final class Header extends ByteArrayOutputStream {
        private final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void i8(long v) { write((int) v); }
        void i16(long v) { b.clear(); b.putShort((short) v); write(b.array(), 0, 2); }
        void i32(long v) { b.clear(); b.putInt((int) v); write(b.array(), 0, 4); }
        void i64(long v) { b.clear(); b.putLong(v); write(b.array(), 0, 8); }

        void string(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            i64(u.length);
            write(u, 0, u.length);
        }

        void value(GgufValue v) {
            if (v.type() == GgufValue.Type.ARRAY) {
                List<?> items = (List<?>) v.value();
                i32(v.elementType().id());
                i64(items.size());
                for (Object o : items) scalar(v.elementType(), o);
            } else {
                scalar(v.type(), v.value());
            }
        }

        private void scalar(GgufValue.Type t, Object o) {
            switch (t) {
                case UINT8, INT8 -> i8((Long) o);
                case UINT16, INT16 -> i16((Long) o);
                case UINT32, INT32 -> i32((Long) o);
                case UINT64, INT64 -> i64((Long) o);
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) o));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) o));
                case BOOL -> i8((Boolean) o ? 1 : 0);
                case STRING -> string((String) o);
                case ARRAY -> value((GgufValue) o);
            }
        }
    }
}
