package org.synesthesia.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;
import org.synesthesia.nn.Family;
import org.synesthesia.tensor.Tensor;

/**
 * {@code trace} on a CLIP text encoder, recognised by its tensor names ({@link ClipNames}): a transformers /
 * diffusers {@code text_encoder} file or folder, a diffusers pipeline folder, an SD 1.x/2.x single file. Input
 * {@code input_ids} [B, T] or [T] (integral values; int64 files are read as floats), output
 * {@code last_hidden_state} [B, T, d]. Module names are transformers' ({@code text_model.embeddings},
 * {@code text_model.encoder.layers.0}, {@code text_model.encoder.layers.0.self_attn}, {@code text_model.final_layer_norm},
 * {@code text_model}). Where the checkpoint also holds a UNet or VAE, it is taken only with {@code --part text_encoder}
 * or when the inputs hold {@code input_ids}; a full {@code CLIPModel} is taken unless the inputs hold only the
 * image encoder's {@code pixel_values}.
 */
public final class ClipTextFamily extends Family {
    public ClipTextFamily() {
        super("clip-text", "CLIP text encoder (Hugging Face and OpenCLIP/LDM names)",
                s -> ClipNames.isClipText(s.names()), s -> ClipNames.mapping(s));
    }

    private static final Set<String> PARTS = Set.of("text_encoder", "text", "clip", "cond_stage_model");

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        if (part != null && !PARTS.contains(part)) return Optional.empty();
        boolean asked = part != null || inputNames.contains("input_ids");
        if (Files.isDirectory(model) && Files.isRegularFile(model.resolve("model_index.json"))) {
            if (!asked || !Files.isDirectory(model.resolve("text_encoder"))) return Optional.empty();
            return Optional.of(part(ClipTextModel.load(model)));
        }
        Optional<Collection<String>> read = tensorNames(model, part);
        if (read.isEmpty()) return Optional.empty(); // not a checkpoint: let other families try
        Collection<String> names = read.get();
        List<ClipNames.Found> found = ClipNames.find(names);
        if (found.isEmpty()) return Optional.empty();
        // a full CLIPModel given pixel_values: its image encoder's (ClipVisionFamily)
        if (!asked && inputNames.contains("pixel_values") && !ClipVisionNames.find(names).isEmpty()) return Optional.empty();
        boolean other = false;
        for (String n : names)
            if (n.startsWith("model.diffusion_model.") || n.startsWith("first_stage_model.") || n.startsWith("unet/") || n.startsWith("vae/")) { other = true; break; }
        if (other && !asked) return Optional.empty();
        return Optional.of(part(ClipTextModel.load(model)));
    }

    private static Traceable part(ClipTextModel m) {
        return Traceable.of(m.description(), List.of("input_ids"), (inputs, tracer) -> {
            Tensor t = TraceInputs.require(inputs, "CLIP text", "input_ids");
            int[] batch = new int[1];
            int[] ids = TraceInputs.ints("CLIP text", "input_ids", t, Integer.MAX_VALUE, batch);
            return m.forward(ids, batch[0], tracer).lastHiddenState();
        }, m::close);
    }
}
