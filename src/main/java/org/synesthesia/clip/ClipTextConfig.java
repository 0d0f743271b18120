package org.synesthesia.clip;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.ConfigFields;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The dimensions of a CLIP text transformer, transformers' {@code CLIPTextConfig}: vocabulary, width
 * ({@code hidden_size}), MLP width ({@code intermediate_size}), layers, heads, positions, MLP activation
 * ({@code hidden_act}) and the LayerNorm epsilon.
 *
 * <p>SD 1.x uses OpenAI's ViT-L/14 text model (768 wide, 12 layers, 12 heads, quick_gelu); SD 2.x OpenCLIP's
 * ViT-H/14 text model (1024 wide, 16 heads, gelu; diffusers ships 23 of its 24 layers, the "penultimate" one).
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                             int maxPositions, Activation activation, float layerNormEps) {

    /** {@code hidden_act} values of CLIP text models. */
    public enum Activation {
        /** {@code quick_gelu}: x * sigmoid(1.702 x) (OpenAI CLIP). */
        QUICK_GELU("quick_gelu", org.synesthesia.nn.Activation.QUICK_GELU),
        /** {@code gelu}: exact erf form (OpenCLIP). */
        GELU("gelu", org.synesthesia.nn.Activation.GELU),
        /** {@code gelu_new} / {@code gelu_pytorch_tanh}: the tanh approximation. */
        GELU_TANH("gelu_new", org.synesthesia.nn.Activation.GELU_TANH);

        final String hfName;
        /** The function the MLP applies. */
        public final org.synesthesia.nn.Activation function;

        Activation(String hfName, org.synesthesia.nn.Activation function) {
            this.hfName = hfName;
            this.function = function;
        }

        /** From transformers' {@code hidden_act} string, or null if unknown. */
        static Activation fromHf(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "quick_gelu" -> QUICK_GELU;
                case "gelu" -> GELU;
                case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
                default -> null;
            };
        }
    }

    /** Width of one attention head in every released CLIP text model (512/8, 768/12, 1024/16, 1280/20). */
    public static final int CLIP_HEAD_DIM = 64;

    public ClipTextConfig {
        int[] v = {vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, maxPositions};
        String[] k = {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "max_position_embeddings"};
        for (int i = 0; i < v.length; i++)
            if (v[i] <= 0) throw new IllegalArgumentException("CLIP text " + k[i] + " must be positive, got " + v[i]);
        if (hiddenSize % numHeads != 0)
            throw new IllegalArgumentException("CLIP text hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        if (activation == null) throw new IllegalArgumentException("CLIP text activation missing");
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("CLIP text layer_norm_eps must be positive, got " + layerNormEps);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** The same model with {@code n} layers (e.g. 23 of OpenCLIP's 24 for SD 2.x's penultimate-layer embeddings). */
    public ClipTextConfig withLayers(int n) {
        return new ClipTextConfig(vocabSize, hiddenSize, intermediateSize, n, numHeads, maxPositions, activation, layerNormEps);
    }

    /** Reads a Hugging Face {@code config.json} ({@code CLIPTextConfig}, or a {@code CLIPConfig} with {@code text_config}). */
    public static ClipTextConfig fromJson(Path file) {
        return fromMap(ReadFile.configObject(file, "not valid JSON"), file.toString());
    }

    /** From the keys of a parsed {@code config.json}; {@code source} names it in errors. */
    @SuppressWarnings("unchecked")
    public static ClipTextConfig fromMap(Map<String, Object> m, String source) {
        if (m.get("text_config") instanceof Map<?, ?> tc && !m.containsKey("hidden_size")) m = (Map<String, Object>) tc;
        int hidden = intKey(m, "hidden_size", 512, source);
        Object act = m.getOrDefault("hidden_act", "quick_gelu");
        Activation a = act instanceof String s ? Activation.fromHf(s) : null;
        if (a == null) throw new SynesthesiaException(source + ": hidden_act " + Json.write(act) + " is not one CLIP uses (quick_gelu, gelu, gelu_new)");
        Object eps = m.getOrDefault("layer_norm_eps", 1e-5);
        if (!(eps instanceof Number e)) throw new SynesthesiaException(source + ": layer_norm_eps is " + Json.write(eps) + ", not a number");
        try {
            return new ClipTextConfig(intKey(m, "vocab_size", 49408, source), hidden, intKey(m, "intermediate_size", 2048, source),
                    intKey(m, "num_hidden_layers", 12, source), intKey(m, "num_attention_heads", 8, source),
                    intKey(m, "max_position_embeddings", 77, source), a, e.floatValue());
        } catch (IllegalArgumentException ex) {
            throw new SynesthesiaException(source + ": " + ex.getMessage());
        }
    }

    /** This config as transformers' {@code CLIPTextConfig} JSON keys ({@link #fromMap} reads it back equal). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("model_type", "clip_text_model");
        m.put("vocab_size", (long) vocabSize);
        m.put("hidden_size", (long) hiddenSize);
        m.put("intermediate_size", (long) intermediateSize);
        m.put("num_hidden_layers", (long) numLayers);
        m.put("num_attention_heads", (long) numHeads);
        m.put("max_position_embeddings", (long) maxPositions);
        m.put("hidden_act", activation.hfName);
        m.put("layer_norm_eps", Double.parseDouble(Float.toString(layerNormEps)));
        return m;
    }

    /** transformers' CLIPTextConfig defaults where a key is absent. */
    private static int intKey(Map<String, Object> m, String key, int dflt, String source) {
        return ConfigFields.positiveInt(m, key, dflt, source);
    }

    /**
     * Infers the configuration from the tensors: vocabulary and width from the token embedding, positions from the
     * position embedding, MLP width from {@code fc1}, layers from the layer indices present. Not stored anywhere
     * and so assumed: heads = width / 64 (true of every released CLIP text model), LayerNorm eps 1e-5, and the
     * activation gelu for OpenCLIP names, else quick_gelu for OpenAI's widths (512, 768) and gelu for OpenCLIP's
     * (1024 ViT-H, 1280 ViT-bigG) converted to Hugging Face names. A {@code config.json} overrides all of this.
     */
    public static ClipTextConfig infer(Weights names) {
        StoredTensor tok = names.get("text_model.embeddings.token_embedding.weight");
        StoredTensor pos = names.get("text_model.embeddings.position_embedding.weight");
        StoredTensor fc1 = names.get("text_model.encoder.layers.0.mlp.fc1.weight");
        if (tok.rank() != 2) throw new SynesthesiaException(tok.source() + ": tensor " + tok.name() + " has shape " + tok.shapeString() + ", expected [vocab, width]");
        if (pos.rank() != 2) throw new SynesthesiaException(pos.source() + ": tensor " + pos.name() + " has shape " + pos.shapeString() + ", expected [positions, width]");
        if (fc1.rank() != 2) throw new SynesthesiaException(fc1.source() + ": tensor " + fc1.name() + " has shape " + fc1.shapeString() + ", expected [intermediate, width]");
        int hidden = Math.toIntExact(tok.shape()[1]);
        if (hidden % CLIP_HEAD_DIM != 0)
            throw new SynesthesiaException(names.source().description() + ": width " + hidden + " is not a multiple of 64, so the head count cannot be inferred; give a config.json");
        Activation act = ClipNames.naming(names) == ClipNames.Naming.OPEN_CLIP || (hidden != 512 && hidden != 768) ? Activation.GELU : Activation.QUICK_GELU;
        return new ClipTextConfig(Math.toIntExact(tok.shape()[0]), hidden, Math.toIntExact(fc1.shape()[0]), ClipNames.layerCount(names),
                hidden / CLIP_HEAD_DIM, Math.toIntExact(pos.shape()[0]), act, 1e-5f);
    }
}
