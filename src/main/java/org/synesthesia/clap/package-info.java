/**
 * CLAP's text branch as AudioLDM conditions on it: the RoBERTa tokenizer ({@code transformers}' slow
 * {@code RobertaTokenizer} over roberta-base's files), the RoBERTa encoder with its pooler, the
 * {@code text_projection} MLP and the L2-normalised embedding ({@link org.synesthesia.clap.ClapTextModel}), the
 * checkpoint names ({@link org.synesthesia.clap.ClapNames}) and the {@code clap-text} model family.
 */
package org.synesthesia.clap;
