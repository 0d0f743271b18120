package org.synesthesia.io;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.StoredTensor;

/**
 * The tensors of {@code source} whose names start with {@code prefix}, under their names without it (a converted
 * file's {@code unet/...} seen as {@code ...}); metadata is the source's. Closing does nothing: the source stays
 * open for its owner.
 */
public final class PrefixedSource implements WeightSource {
    private final WeightSource source;
    private final String prefix;
    private final List<String> names;

    public PrefixedSource(WeightSource source, String prefix) {
        this.source = source;
        this.prefix = prefix;
        this.names = source.names().stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
    }

    @Override public String description() { return source.description() + " (" + prefix + ")"; }
    @Override public String format() { return source.format(); }
    @Override public Collection<String> names() { return names; }
    @Override public Map<String, String> metadata() { return source.metadata(); }

    @Override
    public Optional<StoredTensor> find(String name) {
        return source.find(prefix + name).map(t -> new StoredTensor(name, t.dtype(), t.shape(), t.data(), t.palette(), t.source()));
    }

    @Override
    public void close() {}
}
