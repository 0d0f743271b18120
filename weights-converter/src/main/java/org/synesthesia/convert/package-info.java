/**
 * The {@code synesthesia convert} command: reads a checkpoint of a supported family (Whisper, Stable Diffusion
 * pipelines and components) and writes one GGUF file with the chosen stored type per tensor (F32, F16, Q8_0, Q8_ROW,
 * k-means palettes) and the family's configs and tokenizer as metadata ({@code weights-converter/FORMAT.md}).
 */
package org.synesthesia.convert;
