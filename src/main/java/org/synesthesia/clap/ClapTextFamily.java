package org.synesthesia.clap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code trace} on CLAP's text branch, recognised by its tensor names ({@link ClapNames}): AudioLDM's checkpoint
 * ({@code cond_stage_model.model.*}) or a bare CLAP state dict. Inputs {@code input_ids} [B, T] or [T] and, optionally,
 * {@code attention_mask} of the same shape (all ones when absent, as transformers does); output the normalised
 * embedding [B, P] ({@code CLAP.get_text_embedding}). Module names are the CLAP module's ({@code text_branch.embeddings},
 * {@code text_branch.encoder.layer.0}, {@code text_branch.encoder.layer.0.attention.self}, {@code text_branch.pooler},
 * {@code text_projection}, ...). Where the checkpoint also holds a UNet or VAE, it is taken only with
 * {@code --part clap} (or {@code text_branch}, {@code cond_stage_model}) or when the inputs hold {@code input_ids}.
 * The configuration comes from a {@code config.json} beside the file, else from the tensors ({@link ClapTextConfig#infer}).
 */
public final class ClapTextFamily extends Family {
    public ClapTextFamily() {
        super("clap-text", "CLAP text branch: RoBERTa + text_projection (AudioLDM and CLAP names)",
                s -> ClapNames.isClapText(s.names()), s -> ClapNames.mapping(s));
    }

    private static final Set<String> PARTS = Set.of("clap", "clap-text", "text_branch", "cond_stage_model");

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        if (part != null && !PARTS.contains(part)) return Optional.empty();
        if (Files.isDirectory(model)) return Optional.empty();
        boolean asked = part != null || inputNames.contains("input_ids");
        Optional<Collection<String>> read = tensorNames(model, part);
        if (read.isEmpty()) return Optional.empty(); // not a checkpoint: let other families try
        Collection<String> names = read.get();
        if (!ClapNames.isClapText(names)) return Optional.empty();
        boolean other = false;
        for (String n : names)
            if (n.startsWith("model.diffusion_model.") || n.startsWith("first_stage_model.")) { other = true; break; }
        if (other && !asked) return Optional.empty();
        return Optional.of(part(ClapTextModel.load(model, null)));
    }

    private static Traceable part(ClapTextModel m) {
        return Traceable.of(m.description(), List.of("input_ids", "attention_mask"), (inputs, tracer) -> {
            Tensor t = TraceInputs.require(inputs, "CLAP text", "input_ids");
            int[] batch = new int[1];
            int[] ids = TraceInputs.ints("CLAP text", "input_ids", t, Integer.MAX_VALUE, batch);
            int[] mask = null;
            Tensor mt = inputs.get("attention_mask");
            if (mt != null) {
                if (!Arrays.equals(mt.shape(), t.shape()))
                    throw new SynesthesiaException("CLAP text: attention_mask has shape " + Arrays.toString(mt.shape()) + ", input_ids " + Arrays.toString(t.shape()));
                mask = TraceInputs.ints("CLAP text", "attention_mask", mt, Integer.MAX_VALUE, new int[1]);
            }
            return m.forward(ids, mask, batch[0], tracer).embedding();
        }, m::close);
    }
}
