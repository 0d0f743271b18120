/**
 * Stable Diffusion's image autoencoders: {@code AutoencoderKL} (encoder, decoder, diagonal Gaussian) with its
 * config, names and blocks, and the tiny TAESD decoder.
 */
package org.synesthesia.diffusion.vae;
