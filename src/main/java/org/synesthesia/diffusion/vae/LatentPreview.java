package org.synesthesia.diffusion.vae;

import org.synesthesia.tensor.Tensor;

/**
 * A preview of Stable Diffusion latents without a decoder: each latent pixel's 4 channels mapped to RGB by a fixed
 * linear map (sd-cli's {@code --preview proj}), at latent resolution (1/8 of the image's side):
 * <pre>
 *   rgb[c] = sum_k M[c][k] * z[k]                (z: scaled latents [1, 4, h, w], as the UNet sees them)
 *   image  = clamp((rgb + 1) / 2, 0, 1)          [1, 3, h, w]
 * </pre>
 * M is the widely used least-squares fit of SD 1.x VAE outputs (downsampled to latent size) on the latents. It is an
 * approximation for watching the composition form, not a decode.
 */
public final class LatentPreview {
    private LatentPreview() {}

    /** M[c][k]: weight of latent channel k in output colour c (R, G, B). */
    private static final float[][] M = {
        {0.298f, 0.187f, -0.158f, -0.184f},
        {0.207f, 0.286f, 0.189f, -0.271f},
        {0.208f, 0.173f, 0.264f, -0.473f},
    };

    /** The 4 channels the map reads. */
    public static final int CHANNELS = 4;

    /** latents [N, 4, h, w] (the first image is used) -> preview [1, 3, h, w] in [0, 1]. */
    public static Tensor project(Tensor latents) {
        if (latents.rank() != 4 || latents.dim(1) != CHANNELS)
            throw new IllegalArgumentException("latent preview needs [N, 4, h, w] latents, got " + java.util.Arrays.toString(latents.shape()));
        int h = latents.dim(2), w = latents.dim(3), plane = h * w;
        float[] z = latents.slice(0, 0, 1).contiguous().toArray();
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++) {
                float v = 0f;
                for (int k = 0; k < CHANNELS; k++) v += M[c][k] * z[k * plane + i];
                v = (v + 1f) / 2f;
                out[c * plane + i] = v < 0f ? 0f : Math.min(v, 1f);
            }
        return Tensor.of(out, 1, 3, h, w);
    }
}
