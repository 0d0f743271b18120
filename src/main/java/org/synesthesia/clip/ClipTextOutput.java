package org.synesthesia.clip;

import java.util.List;
import org.synesthesia.tensor.Tensor;

/**
 * What {@code CLIPTextModel(input_ids, output_hidden_states=True)} returns, plus SD 2.x's penultimate-layer embeds.
 *
 * @param lastHiddenState         [B, T, d]: {@code final_layer_norm(hidden_states[-1])}, SD 1.x prompt embeds
 * @param penultimateAfterFinalLn [B, T, d]: {@code final_layer_norm(hidden_states[-2])}, SD 2.x ("clip skip") embeds
 * @param poolerOutput            [B, d]: row {@code argmax(input_ids[b])} (the first end-of-text) of last_hidden_state
 * @param hiddenStates            layers+1 tensors [B, T, d]: the embeddings, then the output of each layer (before
 *                                the final LayerNorm)
 */
public record ClipTextOutput(Tensor lastHiddenState, Tensor penultimateAfterFinalLn, Tensor poolerOutput, List<Tensor> hiddenStates) {}
