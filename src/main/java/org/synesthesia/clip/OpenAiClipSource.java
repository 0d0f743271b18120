package org.synesthesia.clip;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.RowBlocks;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * An openai-layout CLIP checkpoint seen under transformers' {@code CLIPModel} names ({@link OpenAiClipNames}):
 * renamed tensors and q/k/v row blocks are views over the checkpoint's bytes; the two projections, stored
 * [width, embed] and used as {@code x @ proj}, are transposed once into [embed, width] (a copy in this view's arena,
 * in the stored type). Metadata: the checkpoint's, plus {@code vision_config} and {@code text_config} as
 * transformers' config JSON and {@code projection_dim} ({@link OpenAiClipConfig}). Closing closes the checkpoint.
 */
public final class OpenAiClipSource implements WeightSource {
    /** Metadata keys holding the inferred configs as JSON objects with transformers' field names. */
    public static final String VISION_CONFIG = "vision_config", TEXT_CONFIG = "text_config", PROJECTION_DIM = "projection_dim";

    private final WeightSource source;
    private final OpenAiClipConfig config;
    private final Arena arena = Arena.ofShared();
    private final Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    OpenAiClipSource(WeightSource source, Map<String, OpenAiClipNames.Derived> mapping, OpenAiClipConfig config) {
        this.source = source;
        this.config = config;
        try {
            for (Map.Entry<String, OpenAiClipNames.Derived> e : mapping.entrySet()) {
                OpenAiClipNames.Derived d = e.getValue();
                StoredTensor st = source.get(d.stored());
                StoredTensor t = switch (d.kind()) {
                    case WHOLE -> st;
                    case ROW_BLOCK -> RowBlocks.view(st, d.block(), 3, e.getKey().contains(".q_proj.") ? "q_proj" : e.getKey().contains(".k_proj.") ? "k_proj" : "v_proj");
                    case TRANSPOSED -> transpose(st);
                };
                tensors.put(e.getKey(), new StoredTensor(e.getKey(), t.dtype(), t.shape(), t.data(), t.palette(), t.source()));
            }
        } catch (RuntimeException ex) {
            arena.close();
            throw ex;
        }
        metadata.putAll(source.metadata());
        if (config.visionLayers() > 0) metadata.put(VISION_CONFIG, Json.write(config.visionConfig()));
        if (config.textLayers() > 0) metadata.put(TEXT_CONFIG, Json.write(config.textConfig()));
        if (config.embedDim() > 0) metadata.put(PROJECTION_DIM, String.valueOf(config.embedDim()));
    }

    /** The hyper-parameters inferred from the shapes. */
    public OpenAiClipConfig config() {
        return config;
    }

    /** [r, c] -> [c, r], element by element in the stored (plain) type. */
    private StoredTensor transpose(StoredTensor t) {
        DType dt = t.dtype();
        if (t.rank() != 2 || dt.isQuantized() || dt.blockSize != 1)
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " (" + dt + " " + t.shapeString() + ") cannot be transposed: expected a 2-d plain tensor");
        long r = t.shape()[0], c = t.shape()[1];
        int el = dt.blockBytes;
        MemorySegment in = t.data();
        if (in.byteSize() < r * c * el) throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " holds " + in.byteSize() + " bytes, needs " + r * c * el);
        MemorySegment out = arena.allocate(Math.max(1, r * c * el), 64).asSlice(0, r * c * el);
        for (long i = 0; i < r; i++)
            for (long j = 0; j < c; j++) MemorySegment.copy(in, (i * c + j) * el, out, (j * r + i) * el, el);
        return new StoredTensor(t.name() + ".T", dt, new long[] {c, r}, out, t.source());
    }

    @Override public String description() { return source.description(); }
    @Override public String format() { return source.format() + " (openai CLIP names)"; }
    @Override public Collection<String> names() { return Collections.unmodifiableCollection(tensors.keySet()); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return Collections.unmodifiableMap(metadata); }

    @Override
    public void close() {
        arena.close();
        source.close();
    }
}
