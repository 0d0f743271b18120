package org.synesthesia.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;

/**
 * {@code trace} on a CLIP image encoder, recognised by its tensor names ({@link ClipVisionNames}): a transformers
 * {@code CLIPVisionModelWithProjection} or full {@code CLIPModel} file or folder, a diffusers pipeline folder's
 * {@code image_encoder/}. Input {@code pixel_values} [B, C, S, S] or [C, S, S] (preprocessed), output
 * {@code image_embeds} [B, projection_dim] (not normalised). Module names are transformers'
 * ({@code vision_model.embeddings}, {@code vision_model.pre_layrnorm}, {@code vision_model.encoder.layers.0},
 * {@code vision_model.encoder}, {@code vision_model.post_layernorm}, {@code visual_projection}; see
 * {@link ClipVisionModel}). Where the checkpoint also holds a CLIP text model (a full {@code CLIPModel}), it is
 * taken only with {@code --part vision_model} (or {@code image_encoder}, {@code vision}) or when the inputs hold
 * {@code pixel_values}.
 */
public final class ClipVisionFamily extends Family {
    public ClipVisionFamily() {
        super("clip-vision", "CLIP image encoder with projection (Hugging Face CLIPVisionModelWithProjection / CLIPModel names)",
                s -> ClipVisionNames.isClipVision(s.names()), ClipVisionNames::mapping);
    }

    /** {@code --part} values that choose the image encoder. */
    static final Set<String> PARTS = Set.of("image_encoder", "vision", "vision_model", "clip-vision");

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        if (part != null && !PARTS.contains(part)) return Optional.empty();
        boolean asked = part != null || inputNames.contains("pixel_values");
        if (Files.isDirectory(model) && Files.isRegularFile(model.resolve("model_index.json"))) {
            if (!asked || !Files.isDirectory(model.resolve("image_encoder"))) return Optional.empty();
            return Optional.of(part(ClipVisionModel.load(model)));
        }
        Optional<Collection<String>> read = tensorNames(model, part);
        if (read.isEmpty()) return Optional.empty(); // not a checkpoint: let other families try
        Collection<String> names = read.get();
        if (ClipVisionNames.find(names).isEmpty()) {
            if (part != null && !ClipNames.find(names).isEmpty()) ClipVisionModel.load(model); // a text model: its one-line error
            return Optional.empty();
        }
        if (!asked && !ClipNames.find(names).isEmpty()) return Optional.empty(); // a full CLIPModel: the text side unless asked
        return Optional.of(part(ClipVisionModel.load(model)));
    }

    private static Traceable part(ClipVisionModel m) {
        return Traceable.of(m.description(), List.of("pixel_values"),
                (inputs, tracer) -> m.forward(TraceInputs.require(inputs, "CLIP vision", "pixel_values"), tracer).imageEmbeds(), m::close);
    }
}
