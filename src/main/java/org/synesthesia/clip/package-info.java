/**
 * CLIP: the text side as Stable Diffusion uses it (the tokenizer, openai's {@code SimpleTokenizer} with ftfy-style
 * text fixes and HTML unescaping, and the text transformer, with the text projection of CLIP's text features where a
 * checkpoint has one, {@link org.synesthesia.clip.ClipTextProjection}) and the image encoder with its projection
 * ({@link org.synesthesia.clip.ClipVisionModel}), each with its config, names and weights binding; openai's own
 * CLIP layout (its TorchScript {@code .pt} files' state dict) seen under transformers' names
 * ({@link org.synesthesia.clip.OpenAiClipNames}).
 */
package org.synesthesia.clip;
