package org.synesthesia.diffusion.unet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Traceable;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code trace} on a Stable Diffusion or AudioLDM UNet: inputs {@code sample} [N, C, H, W], {@code timestep} (a
 * scalar, [1] or one per batch row) and {@code encoder_hidden_states} [N, L, cross_attention_dim] (SD) or
 * {@code class_labels} [N, 512] (AudioLDM's CLAP embedding); output the prediction [N, C, H, W]. Module names are diffusers'. Recognised checkpoints:
 * <ul>
 *   <li>a diffusers {@code unet/} folder (its {@code config.json} is used), or a pipeline folder with
 *       {@code model_index.json} (uses {@code unet/config.json});</li>
 *   <li>a weights file with diffusers or LDM UNet names (bare, or a whole SD checkpoint under
 *       {@code model.diffusion_model.}): a UNet {@code config.json} beside it is used, else the config is read
 *       off the weights (levels, widths, layers, attention, projections) with SD's head rule: 8 heads (SD1) for
 *       1x1-conv projections, heads of width 64 (SD2) for Linear projections.</li>
 * </ul>
 * With several models in one checkpoint the UNet is chosen by {@code --part unet}, or by default when the inputs
 * hold {@code encoder_hidden_states} and {@code sample}.
 */
public final class UNetFamily extends Family {
    public UNetFamily() {
        super("unet", "Stable Diffusion 1.x/2.x and AudioLDM UNet2DConditionModel (diffusers or LDM names)",
                s -> UNetNames.isDiffusers(s.names(), "") || UNetNames.isDiffusers(s.names(), "unet/") || UNetNames.isLdm(s.names()),
                s -> UNetNames.mapping(s, -1));
    }

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        if (part != null && !part.equals("unet")) return Optional.empty();
        boolean folder = Files.isDirectory(model);
        boolean pipeline = folder && Files.isRegularFile(model.resolve("model_index.json"));
        Path config = pipeline ? model.resolve("unet").resolve("config.json")
                : folder ? model.resolve("config.json") : siblingConfig(model);
        if (folder && !pipeline && !UNetConfig.isConfigFile(config)) return Optional.empty();
        if (pipeline && part == null && !inputNames.contains("encoder_hidden_states")) return Optional.empty();
        WeightSource src;
        try {
            src = WeightSources.open(model);
        } catch (SynesthesiaException e) {
            if (folder) throw e;
            return Optional.empty(); // not a checkpoint format we read: not ours
        }
        try {
            var names = src.names();
            boolean whole = names.stream().anyMatch(n -> n.startsWith("first_stage_model.") || n.startsWith("cond_stage_model.")
                    || !pipeline && (n.startsWith("vae/") || n.startsWith("text_encoder/")));
            boolean unet = UNetNames.isDiffusers(names, "") || UNetNames.isDiffusers(names, "unet/") || UNetNames.isLdm(names);
            boolean unetInputs = inputNames.contains("sample") && (inputNames.contains("encoder_hidden_states") || inputNames.contains("class_labels"));
            if (!unet || whole && part == null && !unetInputs) {
                src.close();
                return Optional.empty();
            }
            // a pipeline's unet/config.json is the UNet's whatever it holds; a sibling file may be another model's
            UNetConfig c = config == null || !Files.exists(config) ? null : folder ? UNetConfig.read(config) : UNetConfig.readIfPresent(config);
            String how = c != null ? "config " + config.getFileName() : "config inferred from weights";
            String stored = src.metadata().get(UNetConfig.GGUF_KEY); // a converted file's own config
            if (c == null && stored != null) {
                c = UNetConfig.fromJson(Json.parseObject(stored));
                how = "config stored in the file";
            }
            Weights w = UNet2DConditionModel.weights(src, c == null ? -1 : c.layersPerBlock());
            if (c == null) c = UNetConfig.inferFrom(w);
            UNet2DConditionModel m = new UNet2DConditionModel(c, w);
            String desc = "unet (" + w.layout() + ", " + how + "), channels " + Arrays.toString(c.blockOutChannels()) + ", heads " + Arrays.toString(c.heads());
            return Optional.of(new Part(m, src, desc));
        } catch (RuntimeException e) {
            src.close();
            if (e instanceof SynesthesiaException) throw e;
            throw SynesthesiaException.inFile(model, e.getMessage());
        }
    }

    private static Path siblingConfig(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir == null ? null : dir.resolve("config.json");
    }

    /** Timesteps for a batch of N from a scalar, [1] or [N] tensor. */
    static float[] timesteps(Tensor t, int N) {
        float[] v = t.toArray();
        if (v.length == 1) {
            float[] r = new float[N];
            Arrays.fill(r, v[0]);
            return r;
        }
        if (v.length != N) throw new SynesthesiaException("unet: timestep has shape " + Arrays.toString(t.shape()) + ", expected a scalar or [" + N + "]");
        return v;
    }

    private static final class Part implements Traceable {
        private final UNet2DConditionModel unet;
        private final WeightSource src;
        private final String description;

        Part(UNet2DConditionModel unet, WeightSource src, String description) {
            this.unet = unet;
            this.src = src;
            this.description = description;
        }

        @Override public String description() { return description; }

        @Override
        public List<String> inputNames() {
            UNetConfig c = unet.config();
            List<String> names = new ArrayList<>(List.of("sample", "timestep"));
            if (c.hasCrossAttention()) names.add("encoder_hidden_states");
            if (c.classEmbedInputDim() > 0) names.add("class_labels");
            return names;
        }

        @Override
        public Tensor forward(Map<String, Tensor> inputs, Tracer tracer) {
            for (String n : inputNames())
                if (!inputs.containsKey(n)) throw new SynesthesiaException("unet: no input tensor '" + n + "' (takes " + inputNames() + ")");
            Tensor sample = inputs.get("sample");
            if (sample.rank() != 4) throw new SynesthesiaException("unet: sample has shape " + Arrays.toString(sample.shape()) + ", expected [N, C, H, W]");
            try {
                return unet.forward(sample, timesteps(inputs.get("timestep"), sample.dim(0)), inputs.get("encoder_hidden_states"),
                        inputs.get("class_labels"), tracer);
            } catch (IllegalArgumentException e) {
                throw new SynesthesiaException(e.getMessage());
            }
        }

        @Override public void close() { src.close(); }
    }
}
