/**
 * OpenAI Whisper speech recognition: config, names and weights binding, encoder and decoder, tokenizer
 * (specials over a {@link org.synesthesia.text.Tiktoken}), decoding (greedy, beam search, logit filters, timestamps,
 * language detection) and long-form transcription, reproducing {@code openai/whisper}.
 */
package org.synesthesia.whisper;
