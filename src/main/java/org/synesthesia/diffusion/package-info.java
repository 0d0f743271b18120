/**
 * Stable Diffusion assembled: the text-to-image pipeline (CLIP text encoder, UNet, scheduler, VAE), the
 * converted-file bundle ({@link org.synesthesia.diffusion.SdGguf}) and random weights for tests and benches. The
 * components live in the sub-packages {@code unet}, {@code vae} and {@code scheduler}.
 */
package org.synesthesia.diffusion;
