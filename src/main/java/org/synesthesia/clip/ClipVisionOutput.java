package org.synesthesia.clip;

import org.synesthesia.tensor.Tensor;

/**
 * What {@code CLIPVisionModelWithProjection(pixel_values)} returns.
 *
 * @param lastHiddenState [B, 1 + grid^2, d]: the encoder's output (before {@code post_layernorm})
 * @param pooledOutput    [B, d]: {@code post_layernorm(last_hidden_state[:, 0])}, the class token
 * @param imageEmbeds     [B, projection_dim]: {@code visual_projection(pooled_output)}, not L2-normalised
 */
public record ClipVisionOutput(Tensor lastHiddenState, Tensor pooledOutput, Tensor imageEmbeds) {}
