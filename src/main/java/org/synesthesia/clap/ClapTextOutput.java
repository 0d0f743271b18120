package org.synesthesia.clap;

import org.synesthesia.tensor.Tensor;

/**
 * Outputs of CLAP's text branch for a batch of B sequences of T tokens.
 *
 * @param lastHiddenState RoBERTa's {@code last_hidden_state} [B, T, d]
 * @param poolerOutput    RoBERTa's {@code pooler_output} [B, d]: {@code tanh(pooler.dense(last_hidden_state[:, 0]))}
 * @param projection      {@code text_projection(pooler_output)} [B, P], before normalisation
 * @param embedding       the L2-normalised projection [B, P]: CLAP's {@code get_text_embedding}
 */
public record ClapTextOutput(Tensor lastHiddenState, Tensor poolerOutput, Tensor projection, Tensor embedding) {}
