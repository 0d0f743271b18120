/**
 * The CLIP-to-CLAP translator of the image-to-sound direction, trained and run in Java.
 * <ul>
 * <li>Data: pairs of embeddings (CLIP of an image or caption, CLAP of the caption) as
 *     {@link org.synesthesia.translator.EmbeddingPairs}, read and written by {@link org.synesthesia.translator.PairFiles}
 *     (safetensors shards, and the original work's per-sample text files).</li>
 * <li>Model: {@link org.synesthesia.translator.Translator}, the original {@code CLIptoCLAP} MLP with its hand-written
 *     backward pass; loads the original scripts' {@code .pth} state dicts and our safetensors.</li>
 * <li>Training: {@link org.synesthesia.translator.Loss} (MSE, cosine embedding, SimCLR contrastive),
 *     {@link org.synesthesia.translator.Adam}, {@link org.synesthesia.translator.TrainingStep},
 *     {@link org.synesthesia.translator.Trainer} (epochs, seeded shuffles, validation, early stopping),
 *     {@link org.synesthesia.translator.Metrics} (mean cosine, recall@1/@5), {@link org.synesthesia.translator.LossCurve}
 *     (PNG) and {@link org.synesthesia.translator.Grid} (the original 18-model study).</li>
 * </ul>
 */
package org.synesthesia.translator;
