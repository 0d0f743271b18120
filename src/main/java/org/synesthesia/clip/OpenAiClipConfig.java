package org.synesthesia.clip;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hyper-parameters of an openai CLIP ViT model, inferred from its state-dict shapes as openai's
 * {@code clip.model.build_model} does: vision width, patch size and MLP width from {@code visual.conv1.weight}
 * [width, 3, p, p] and {@code c_fc} [mlp, width]; image resolution = p * round(sqrt(positions - 1)) from
 * {@code visual.positional_embedding} [positions, width]; layers = the number of {@code resblocks}; embedding size
 * from {@code text_projection} [text width, embed]; context length and vocabulary from {@code positional_embedding}
 * and {@code token_embedding.weight}; heads = width / 64 on both sides (openai's rule: every openai model has
 * 64-wide heads; shapes cannot tell otherwise). openai's models use quick-GELU ({@code x * sigmoid(1.702 x)}) and
 * LayerNorm eps 1e-5.
 *
 * <p>Zero for a tower the checkpoint lacks ({@code visionLayers == 0}: text only; {@code textLayers == 0}: vision
 * only).
 */
public record OpenAiClipConfig(int embedDim, int imageResolution, int visionWidth, int visionLayers, int visionPatchSize,
                               int visionMlp, int contextLength, int vocabSize, int textWidth, int textLayers, int textMlp) {
    /** openai's head width. */
    public static final int HEAD_WIDTH = 64;
    public static final String HIDDEN_ACT = "quick_gelu";
    public static final double LAYER_NORM_EPS = 1e-5;

    public int visionHeads() { return Math.max(1, visionWidth / HEAD_WIDTH); }
    public int textHeads() { return Math.max(1, textWidth / HEAD_WIDTH); }

    /** transformers' {@code CLIPVisionConfig} fields ({@code config.json}'s {@code vision_config}). */
    public Map<String, Object> visionConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hidden_size", visionWidth);
        m.put("intermediate_size", visionMlp);
        m.put("num_hidden_layers", visionLayers);
        m.put("num_attention_heads", visionHeads());
        m.put("image_size", imageResolution);
        m.put("patch_size", visionPatchSize);
        m.put("num_channels", 3);
        m.put("projection_dim", embedDim);
        m.put("hidden_act", HIDDEN_ACT);
        m.put("layer_norm_eps", LAYER_NORM_EPS);
        return m;
    }

    /** transformers' {@code CLIPTextConfig} fields ({@code config.json}'s {@code text_config}). */
    public Map<String, Object> textConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hidden_size", textWidth);
        m.put("intermediate_size", textMlp);
        m.put("num_hidden_layers", textLayers);
        m.put("num_attention_heads", textHeads());
        m.put("max_position_embeddings", contextLength);
        m.put("vocab_size", vocabSize);
        m.put("projection_dim", embedDim);
        m.put("hidden_act", HIDDEN_ACT);
        m.put("layer_norm_eps", LAYER_NORM_EPS);
        return m;
    }
}
