/**
 * CLAP's text branch for AudioLDM: so far its RoBERTa tokenizer ({@code transformers}' slow
 * {@code RobertaTokenizer} over roberta-base's files).
 */
package org.synesthesia.clap;
