/**
 * AudioLDM (text to sound): the glue over its parts, each a family of its own ({@code clap} text encoder, the
 * {@code diffusion.unet} UNet with FiLM conditioning, the {@code diffusion.vae} mel VAE, the {@code vocoder} HiFi-GAN)
 * and the sampling loop of AudioLDM's {@code LatentDiffusion.generate_sample}.
 */
package org.synesthesia.audioldm;
