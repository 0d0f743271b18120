/**
 * CLIP's text side as Stable Diffusion uses it: the tokenizer (openai's {@code SimpleTokenizer} with ftfy-style
 * text fixes and HTML unescaping) and the text transformer, with its config, names and weights binding.
 */
package org.synesthesia.clip;
