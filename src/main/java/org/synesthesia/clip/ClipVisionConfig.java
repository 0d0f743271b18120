package org.synesthesia.clip;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.ConfigFields;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The dimensions of a CLIP vision transformer with its projection, transformers' {@code CLIPVisionConfig}: input
 * image side ({@code image_size}) and channels, patch side, width ({@code hidden_size}), MLP width
 * ({@code intermediate_size}), layers, heads, the width of {@code visual_projection} ({@code projection_dim}), MLP
 * activation ({@code hidden_act}) and the LayerNorm epsilon. The encoder runs on 1 + (image_size / patch_size)^2
 * tokens: the class token, then the patches row by row.
 *
 * <p>OpenAI's ViT-B/32: 768 wide, 12 layers, 12 heads, patch 32, projection 512; ViT-L/14: 1024 wide, 24 layers,
 * 16 heads, patch 14, projection 768; both quick_gelu.
 */
public record ClipVisionConfig(int imageSize, int patchSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                               int projectionDim, ClipTextConfig.Activation activation, float layerNormEps, int numChannels) {

    public ClipVisionConfig {
        int[] v = {imageSize, patchSize, hiddenSize, intermediateSize, numLayers, numHeads, projectionDim, numChannels};
        String[] k = {"image_size", "patch_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "projection_dim", "num_channels"};
        for (int i = 0; i < v.length; i++)
            if (v[i] <= 0) throw new IllegalArgumentException("CLIP vision " + k[i] + " must be positive, got " + v[i]);
        if (hiddenSize % numHeads != 0)
            throw new IllegalArgumentException("CLIP vision hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        if (patchSize > imageSize)
            throw new IllegalArgumentException("CLIP vision patch_size " + patchSize + " is larger than image_size " + imageSize);
        if (activation == null) throw new IllegalArgumentException("CLIP vision activation missing");
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("CLIP vision layer_norm_eps must be positive, got " + layerNormEps);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Patches along one side: floor(image_size / patch_size) (a stride-patch convolution drops the remainder). */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Encoder tokens (and position embeddings): the class token and grid^2 patches. */
    public int numPositions() {
        return 1 + gridSize() * gridSize();
    }

    /**
     * Reads a Hugging Face {@code config.json}: a {@code CLIPVisionConfig} ({@code model_type clip_vision_model},
     * flat) or a {@code CLIPConfig} ({@code model_type clip}: its {@code vision_config} and top-level
     * {@code projection_dim}). A CLIP text config is an error saying so.
     */
    public static ClipVisionConfig fromJson(Path file) {
        return fromMap(ReadFile.configObject(file, "not valid JSON"), file.toString());
    }

    /** From the keys of a parsed {@code config.json} (see {@link #fromJson}); {@code source} names it in errors. */
    @SuppressWarnings("unchecked")
    public static ClipVisionConfig fromMap(Map<String, Object> m, String source) {
        Object type = m.get("model_type");
        if ("clip_text_model".equals(type) || m.get("text_config") instanceof Map<?, ?> && !(m.get("vision_config") instanceof Map<?, ?>))
            throw new SynesthesiaException(source + " is a CLIP text model config, not a vision model");
        if (m.get("vision_config") instanceof Map<?, ?> vc) {
            // CLIPConfig: CLIPModel's visual_projection is [projection_dim, vision width] with the top-level projection_dim
            Object proj = m.get("projection_dim");
            Map<String, Object> v = new LinkedHashMap<>((Map<String, Object>) vc);
            if (proj != null) v.put("projection_dim", proj);
            m = v;
        } else if (type != null && !"clip_vision_model".equals(type)) {
            throw new SynesthesiaException(source + ": model_type " + Json.write(type) + " is not a CLIP vision model (clip_vision_model or clip)");
        }
        Object act = m.getOrDefault("hidden_act", "quick_gelu");
        ClipTextConfig.Activation a = act instanceof String s ? ClipTextConfig.Activation.fromHf(s) : null;
        if (a == null) throw new SynesthesiaException(source + ": hidden_act " + Json.write(act) + " is not one CLIP uses (quick_gelu, gelu, gelu_new)");
        Object eps = m.getOrDefault("layer_norm_eps", 1e-5);
        if (!(eps instanceof Number e)) throw new SynesthesiaException(source + ": layer_norm_eps is " + Json.write(eps) + ", not a number");
        try {
            return new ClipVisionConfig(intKey(m, "image_size", 224, source), intKey(m, "patch_size", 32, source), intKey(m, "hidden_size", 768, source),
                    intKey(m, "intermediate_size", 3072, source), intKey(m, "num_hidden_layers", 12, source), intKey(m, "num_attention_heads", 12, source),
                    intKey(m, "projection_dim", 512, source), a, e.floatValue(), intKey(m, "num_channels", 3, source));
        } catch (IllegalArgumentException ex) {
            throw new SynesthesiaException(source + ": " + ex.getMessage());
        }
    }

    /** This config as transformers' {@code CLIPVisionConfig} JSON keys ({@link #fromMap} reads it back equal). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "clip_vision_model");
        m.put("image_size", (long) imageSize);
        m.put("patch_size", (long) patchSize);
        m.put("hidden_size", (long) hiddenSize);
        m.put("intermediate_size", (long) intermediateSize);
        m.put("num_hidden_layers", (long) numLayers);
        m.put("num_attention_heads", (long) numHeads);
        m.put("projection_dim", (long) projectionDim);
        m.put("hidden_act", activation.hfName);
        m.put("layer_norm_eps", Double.parseDouble(Float.toString(layerNormEps)));
        m.put("num_channels", (long) numChannels);
        return m;
    }

    /** transformers' CLIPVisionConfig defaults where a key is absent. */
    private static int intKey(Map<String, Object> m, String key, int dflt, String source) {
        return ConfigFields.positiveInt(m, key, dflt, source);
    }

    /**
     * Infers the configuration from the tensors ({@link ClipVisionNames#of}): width, channels and patch side from
     * {@code patch_embedding} [d, C, p, p], image side from the position embedding [1 + (image/p)^2, d],
     * MLP width from {@code fc1}, layers from the layer indices present, projection width from
     * {@code visual_projection} [proj, d]. Not stored and so assumed: heads = 16 for OpenCLIP's 1280 (ViT-H) and
     * 1664 (ViT-bigG) widths, else width / 64 (OpenAI's ViT-B and ViT-L); the activation quick_gelu at OpenAI's
     * widths (768, 1024), else gelu; LayerNorm eps 1e-5. A {@code config.json} overrides all of this.
     */
    public static ClipVisionConfig infer(Weights names) {
        StoredTensor patch = names.get(ClipVisionNames.PATCH);
        StoredTensor pos = names.get("vision_model.embeddings.position_embedding.weight");
        StoredTensor fc1 = names.get("vision_model.encoder.layers.0.mlp.fc1.weight");
        StoredTensor proj = names.get(ClipVisionNames.PROJECTION);
        long[] ps = patch.shape();
        if (ps.length != 4 || ps[2] != ps[3])
            throw new SynesthesiaException(patch.source() + ": tensor " + patch.name() + " has shape " + patch.shapeString() + ", expected [width, channels, patch, patch]");
        if (pos.rank() != 2) throw new SynesthesiaException(pos.source() + ": tensor " + pos.name() + " has shape " + pos.shapeString() + ", expected [positions, width]");
        if (fc1.rank() != 2) throw new SynesthesiaException(fc1.source() + ": tensor " + fc1.name() + " has shape " + fc1.shapeString() + ", expected [intermediate, width]");
        if (proj.rank() != 2) throw new SynesthesiaException(proj.source() + ": tensor " + proj.name() + " has shape " + proj.shapeString() + ", expected [projection, width]");
        int hidden = Math.toIntExact(ps[0]), p = Math.toIntExact(ps[2]);
        long patches = pos.shape()[0] - 1;
        int grid = (int) Math.round(Math.sqrt(patches));
        if (patches < 1 || (long) grid * grid != patches)
            throw new SynesthesiaException(pos.source() + ": tensor " + pos.name() + " has shape " + pos.shapeString() + ", expected [1 + grid^2, width]");
        int heads = hidden == 1280 || hidden == 1664 ? 16 : hidden / ClipTextConfig.CLIP_HEAD_DIM;
        if (heads == 0 || hidden % heads != 0 || hidden % ClipTextConfig.CLIP_HEAD_DIM != 0)
            throw new SynesthesiaException(names.source().description() + ": width " + hidden + " is not a multiple of 64, so the head count cannot be inferred; give a config.json");
        ClipTextConfig.Activation act = hidden == 768 || hidden == 1024 ? ClipTextConfig.Activation.QUICK_GELU : ClipTextConfig.Activation.GELU;
        return new ClipVisionConfig(grid * p, p, hidden, Math.toIntExact(fc1.shape()[0]), ClipVisionNames.layerCount(names), heads,
                Math.toIntExact(proj.shape()[0]), act, 1e-5f, Math.toIntExact(ps[1]));
    }
}
