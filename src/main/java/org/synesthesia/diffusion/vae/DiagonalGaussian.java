package org.synesthesia.diffusion.vae;

import org.synesthesia.tensor.Tensor;

/**
 * diffusers {@code DiagonalGaussianDistribution} over the VAE latents: from moments [N, 2C, h, w],
 * {@code mean, logvar = moments.chunk(2, dim=1)}, {@code logvar = clamp(logvar, -30, 20)},
 * {@code std = exp(0.5 * logvar)}; each [N, C, h, w].
 */
public record DiagonalGaussian(Tensor moments, Tensor mean, Tensor logvar, Tensor std) {
    public static DiagonalGaussian of(Tensor moments) {
        int N = moments.dim(0), C2 = moments.dim(1), h = moments.dim(2), w = moments.dim(3);
        if (C2 % 2 != 0) throw new IllegalArgumentException("moments have an odd channel count " + C2);
        int C = C2 / 2, S = h * w;
        float[] m = moments.contiguous().toArray();
        float[] mean = new float[N * C * S], logvar = new float[N * C * S], std = new float[N * C * S];
        for (int n = 0; n < N; n++) {
            System.arraycopy(m, n * C2 * S, mean, n * C * S, C * S);
            for (int i = 0; i < C * S; i++) {
                float lv = Math.min(20f, Math.max(-30f, m[(n * C2 + C) * S + i]));
                logvar[n * C * S + i] = lv;
                std[n * C * S + i] = (float) Math.exp(0.5f * lv);
            }
        }
        return new DiagonalGaussian(moments, Tensor.of(mean, N, C, h, w), Tensor.of(logvar, N, C, h, w), Tensor.of(std, N, C, h, w));
    }

    /** The distribution's mode (its mean). */
    public Tensor mode() { return mean; }

    /** {@code mean + std * noise}, noise [N, C, h, w] standard normal (e.g. from {@link TorchGenerator}). */
    public Tensor sample(Tensor noise) {
        float[] e = noise.contiguous().toArray(), mu = mean.data(), s = std.data();
        if (e.length != mu.length) throw new IllegalArgumentException("noise has " + e.length + " values, latents " + mu.length);
        float[] y = new float[mu.length];
        for (int i = 0; i < y.length; i++) y[i] = mu[i] + s[i] * e[i];
        return Tensor.of(y, mean.shape());
    }
}
