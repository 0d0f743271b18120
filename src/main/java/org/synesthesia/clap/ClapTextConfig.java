package org.synesthesia.clap;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.ConfigFields;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The dimensions of CLAP's text branch: transformers' {@code RobertaConfig} (vocabulary, width {@code hidden_size},
 * layers, heads, MLP width {@code intermediate_size}, positions, token types, LayerNorm epsilon, padding id, MLP
 * activation) and the {@code text_projection} MLP {@code Linear(hidden, projectionHidden) -> ReLU ->
 * Linear(projectionHidden, projectionDim)}.
 *
 * <p>AudioLDM's CLAP uses roberta-base (768 wide, 12 layers, 12 heads, 3072, 50265 tokens, 514 positions, 1 token
 * type, eps 1e-5, pad 1, gelu) and a 768 -> 512 -> 512 projection ({@link #ROBERTA_BASE}).
 */
public record ClapTextConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize, int maxPositions,
                             int typeVocabSize, float layerNormEps, int padTokenId, Activation activation, int projectionHidden,
                             int projectionDim) {
    public static final ClapTextConfig ROBERTA_BASE = new ClapTextConfig(50265, 768, 12, 12, 3072, 514, 1, 1e-5f, 1, Activation.GELU, 512, 512);

    /** Width of one attention head of every released RoBERTa (768/12, 1024/16). */
    public static final int HEAD_DIM = 64;

    public ClapTextConfig {
        int[] v = {vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize, projectionHidden, projectionDim};
        String[] k = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "max_position_embeddings",
                "type_vocab_size", "projection hidden size", "projection_dim"};
        for (int i = 0; i < v.length; i++)
            if (v[i] <= 0) throw new IllegalArgumentException("CLAP text " + k[i] + " must be positive, got " + v[i]);
        if (hiddenSize % numHeads != 0)
            throw new IllegalArgumentException("CLAP text hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("CLAP text layer_norm_eps must be positive, got " + layerNormEps);
        if (padTokenId < 0 || padTokenId >= vocabSize) throw new IllegalArgumentException("CLAP text pad_token_id " + padTokenId + " outside the vocabulary");
        if (maxPositions <= padTokenId + 1) throw new IllegalArgumentException("CLAP text has " + maxPositions + " positions, none after the padding index");
        if (activation == null) throw new IllegalArgumentException("CLAP text activation missing");
    }

    /** The longest input: positions run from {@code pad + 1} to {@code pad + T} (RoBERTa's offset). */
    public int maxTokens() {
        return maxPositions - padTokenId - 1;
    }

    /** Reads a {@code config.json}: transformers' {@code RobertaConfig}, or diffusers' {@code ClapTextConfig} (with {@code projection_dim}). */
    public static ClapTextConfig fromJson(Path file) {
        return fromMap(ReadFile.configObject(file, "not valid JSON"), file.toString());
    }

    /**
     * From the keys of a parsed config ({@link #toMap}'s, transformers' {@code RobertaConfig} or {@code ClapTextConfig});
     * roberta-base's values where a key is absent. {@code source} names it in errors.
     */
    public static ClapTextConfig fromMap(Map<String, Object> m, String source) {
        ClapTextConfig d = ROBERTA_BASE;
        Object act = m.getOrDefault("hidden_act", "gelu");
        Activation a = act instanceof String s ? Activation.fromHf(s) : null;
        if (a == null) throw new SynesthesiaException(source + ": hidden_act " + Json.write(act) + " is not an activation this engine has");
        Object eps = m.getOrDefault("layer_norm_eps", 1e-5);
        if (!(eps instanceof Number e)) throw new SynesthesiaException(source + ": layer_norm_eps is " + Json.write(eps) + ", not a number");
        int projDim = intKey(m, "projection_dim", d.projectionDim, source);
        try {
            return new ClapTextConfig(intKey(m, "vocab_size", d.vocabSize, source), intKey(m, "hidden_size", d.hiddenSize, source),
                    intKey(m, "num_hidden_layers", d.numLayers, source), intKey(m, "num_attention_heads", d.numHeads, source),
                    intKey(m, "intermediate_size", d.intermediateSize, source), intKey(m, "max_position_embeddings", d.maxPositions, source),
                    intKey(m, "type_vocab_size", d.typeVocabSize, source), e.floatValue(), intKey(m, "pad_token_id", d.padTokenId, source, true), a,
                    intKey(m, "projection_hidden_size", projDim, source), projDim);
        } catch (IllegalArgumentException ex) {
            throw new SynesthesiaException(source + ": " + ex.getMessage());
        }
    }

    /** This config as {@code RobertaConfig} keys plus {@code projection_hidden_size} and {@code projection_dim} ({@link #fromMap} reads it back equal). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "roberta");
        m.put("vocab_size", (long) vocabSize);
        m.put("hidden_size", (long) hiddenSize);
        m.put("num_hidden_layers", (long) numLayers);
        m.put("num_attention_heads", (long) numHeads);
        m.put("intermediate_size", (long) intermediateSize);
        m.put("max_position_embeddings", (long) maxPositions);
        m.put("type_vocab_size", (long) typeVocabSize);
        m.put("layer_norm_eps", Double.parseDouble(Float.toString(layerNormEps)));
        m.put("pad_token_id", (long) padTokenId);
        m.put("hidden_act", activation == Activation.GELU_TANH ? "gelu_new" : activation.name().toLowerCase(Locale.ROOT));
        m.put("projection_hidden_size", (long) projectionHidden);
        m.put("projection_dim", (long) projectionDim);
        return m;
    }

    /**
     * Infers the configuration from the tensors ({@link ClapNames} canonical names): vocabulary and width from the
     * word embedding, positions and token types from theirs, MLP width from layer 0's {@code intermediate.dense},
     * layers from the indices present, the projection from {@code text_projection.{0,2}}. Not stored and so
     * assumed as in roberta-base: heads = width / 64, eps 1e-5, pad 1, gelu. A {@code config.json} overrides this.
     */
    public static ClapTextConfig infer(Weights w) {
        long[] word = shape2(w, "text_branch.embeddings.word_embeddings.weight");
        long[] pos = shape2(w, "text_branch.embeddings.position_embeddings.weight");
        long[] type = shape2(w, "text_branch.embeddings.token_type_embeddings.weight");
        long[] fc1 = shape2(w, "text_branch.encoder.layer.0.intermediate.dense.weight");
        long[] p0 = shape2(w, "text_projection.0.weight"), p2 = shape2(w, "text_projection.2.weight");
        int hidden = Math.toIntExact(word[1]);
        if (hidden % HEAD_DIM != 0)
            throw new SynesthesiaException(w.source().description() + ": width " + hidden + " is not a multiple of 64, so the head count cannot be inferred; give a config.json");
        try {
            return new ClapTextConfig(Math.toIntExact(word[0]), hidden, ClapNames.layerCount(w), hidden / HEAD_DIM, Math.toIntExact(fc1[0]),
                    Math.toIntExact(pos[0]), Math.toIntExact(type[0]), 1e-5f, 1, Activation.GELU, Math.toIntExact(p0[0]), Math.toIntExact(p2[0]));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(w.source().description() + ": CLAP text tensors give " + e.getMessage());
        }
    }

    private static long[] shape2(Weights w, String name) {
        StoredTensor t = w.get(name);
        if (t.rank() != 2) throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString() + ", expected 2 dimensions");
        return t.shape();
    }

    private static int intKey(Map<String, Object> m, String key, int dflt, String source) {
        return intKey(m, key, dflt, source, false);
    }

    private static int intKey(Map<String, Object> m, String key, int dflt, String source, boolean zeroOk) {
        return zeroOk ? ConfigFields.nonNegativeInt(m, key, dflt, source) : ConfigFields.positiveInt(m, key, dflt, source);
    }
}
