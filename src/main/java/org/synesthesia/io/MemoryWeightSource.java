package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;

/**
 * A {@link WeightSource} over off-heap memory it allocates itself (a shared {@link Arena}): for generated weights
 * (benchmarks at full model sizes without a checkpoint file) and tests. Closing frees every tensor.
 */
public final class MemoryWeightSource implements WeightSource {
    private final String description;
    private final Arena arena = Arena.ofShared();
    private final Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public MemoryWeightSource(String description) {
        this.description = description;
    }

    /** Allocates a zeroed tensor of {@code dtype} and {@code shape} under {@code name}; returns its memory to fill. */
    public MemorySegment allocate(String name, DType dtype, long... shape) {
        if (dtype.isQuantized() || dtype == DType.PAL) throw new IllegalArgumentException("allocate " + dtype + ": plain types only");
        long n = 1;
        for (long s : shape) n *= s;
        MemorySegment seg = arena.allocate(dtype.bytesFor(n), 64);
        tensors.put(name, new StoredTensor(name, dtype, shape.clone(), seg, description));
        return seg;
    }

    /** A tensor of any ggml block type from its encoded bytes (e.g. {@code Quantize.toQ8_0}), copied off-heap. */
    public void putEncoded(String name, DType dtype, long[] shape, byte[] bytes) {
        long n = 1;
        for (long s : shape) n *= s;
        if (dtype.bytesFor(n) != bytes.length) throw new IllegalArgumentException(name + ": " + bytes.length + " bytes for " + n + " " + dtype + " values");
        MemorySegment seg = arena.allocate(bytes.length, 64);
        seg.copyFrom(MemorySegment.ofArray(bytes));
        tensors.put(name, new StoredTensor(name, dtype, shape.clone(), seg, description));
    }

    public void putMetadata(String key, String value) {
        metadata.put(key, value);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String format() {
        return "memory";
    }

    @Override
    public Collection<String> names() {
        return Collections.unmodifiableCollection(tensors.keySet());
    }

    @Override
    public Optional<StoredTensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    @Override
    public void close() {
        arena.close();
    }
}
