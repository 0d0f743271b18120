/**
 * Shared byte-level BPE: GPT-2's byte-to-unicode table and pre-tokeniser, {@code vocab.json}/{@code merges.txt}
 * reading, the merge-table loop ({@link org.synesthesia.text.BpeMerges}, CLIP and RoBERTa) and the tiktoken encoding
 * over byte ranks ({@link org.synesthesia.text.Tiktoken}, Whisper), with Python-exact UTF-8 decoding. The
 * model-specific tokenizers (specials, text cleaning, model input layout) live with their families.
 */
package org.synesthesia.text;
