package org.synesthesia.io;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/** Several sources seen as one (shards of a checkpoint, components of a pipeline); closing closes them all. */
final class MergedSource implements WeightSource {
    /** One member: names are {@code prefix + name}; {@code only}, when not null, limits it to those names. */
    record Part(String prefix, WeightSource source, Set<String> only) {}

    private final String description;
    private final String format;
    private final List<Part> parts;
    private final Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    MergedSource(String description, String format, List<Part> parts, Map<String, String> metadata) {
        this.description = description;
        this.format = format;
        this.parts = List.copyOf(parts);
        this.metadata.putAll(metadata);
        Map<String, String> from = new LinkedHashMap<>();
        try {
            for (Part p : parts) {
                for (String n : p.source().names()) {
                    if (p.only() != null && !p.only().contains(n)) continue;
                    String name = p.prefix() + n;
                    String prev = from.putIfAbsent(name, p.source().description());
                    if (prev != null)
                        throw SynesthesiaException.inFile(description, "tensor " + name + " is in both " + prev + " and " + p.source().description());
                    tensors.put(name, rename(p.source().get(n), name));
                }
                for (Map.Entry<String, String> e : p.source().metadata().entrySet())
                    this.metadata.putIfAbsent(p.prefix() + e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static StoredTensor rename(StoredTensor t, String name) {
        return name.equals(t.name()) ? t : new StoredTensor(name, t.dtype(), t.shape(), t.data(), t.palette(), t.source());
    }

    @Override public String description() { return description; }
    @Override public String format() { return format; }
    @Override public Collection<String> names() { return Collections.unmodifiableSet(tensors.keySet()); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return Collections.unmodifiableMap(metadata); }

    @Override
    public void close() {
        for (Part p : parts) p.source().close();
    }
}
