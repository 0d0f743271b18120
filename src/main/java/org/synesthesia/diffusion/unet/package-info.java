/**
 * Stable Diffusion's {@code UNet2DConditionModel} (diffusers): config, checkpoint names (diffusers or LDM), weights
 * binding, its blocks (ResNet, cross-attention transformer, down/up sampling, timestep embedding) and its trace factory.
 */
package org.synesthesia.diffusion.unet;
