package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.StoredTensor;

/**
 * What both PyTorch readers ({@link TorchZip}, {@link TorchLegacy}) hold: the mapped file, an arena for storages
 * that cannot be views of it (inflated or re-laid-out), and the flattened state dict ({@link TorchStateDict}).
 */
abstract class TorchSource implements WeightSource {
    private final MappedFile file;
    private final Arena scratch;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, String> metadata;

    TorchSource(MappedFile file, Arena scratch, TorchStateDict.Result r) {
        this.file = file;
        this.scratch = scratch;
        this.tensors = r.tensors();
        this.metadata = r.metadata();
    }

    interface Parser {
        TorchStateDict.Result parse(MappedFile f, Arena scratch);
    }

    interface Factory<T> {
        T make(MappedFile f, Arena scratch, TorchStateDict.Result r);
    }

    /** Maps {@code path}, parses it, and releases the mapping and arena if parsing fails. */
    static <T extends TorchSource> T open(Path path, Parser parser, Factory<T> factory) {
        MappedFile f = MappedFile.open(path);
        Arena scratch = Arena.ofShared();
        try {
            return factory.make(f, scratch, parser.parse(f, scratch));
        } catch (RuntimeException e) {
            scratch.close();
            f.close();
            throw e;
        }
    }

    @Override public String description() { return file.path().toString(); }
    @Override public Collection<String> names() { return tensors.keySet(); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return metadata; }

    @Override
    public void close() {
        scratch.close();
        file.close();
    }
}
