/**
 * The CLIP-to-CLAP translator of the image-to-sound direction: training pairs of embeddings (CLIP of an image or
 * caption, CLAP of the caption) as {@link org.synesthesia.translator.EmbeddingPairs}, read and written by
 * {@link org.synesthesia.translator.PairFiles} (safetensors shards, and the original work's per-sample text files).
 */
package org.synesthesia.translator;
