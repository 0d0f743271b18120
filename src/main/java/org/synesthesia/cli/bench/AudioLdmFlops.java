package org.synesthesia.cli.bench;

import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * FLOPs of AudioLDM's three networks counted analytically from their layer shapes: 2 x multiply-adds of every
 * convolution (2-D, 1-D, transposed 1-D), every Linear applied to token rows, and the two attention products
 * (Q K^T and P V: 2 L^2 C multiply-adds per self-attention over L tokens of width C). Norms, activations, the time
 * and class embeddings and the resnets' time projections are left out (well under 1% at these sizes).
 */
final class AudioLdmFlops {
    private AudioLdmFlops() {}

    /** One UNet forward on latents [N, in_channels, H, W]. */
    static double unet(UNetConfig c, int N, int H, int W) {
        int n = c.levels();
        int[] boc = c.blockOutChannels();
        int[] h = new int[n], w = new int[n];
        for (int i = 0; i < n; i++) {
            h[i] = i == 0 ? H : (h[i - 1] + 1) / 2;
            w[i] = i == 0 ? W : (w[i - 1] + 1) / 2;
        }
        double f = conv2d(N, c.inChannels(), boc[0], 3, h[0], w[0]);
        for (int i = 0; i < n; i++) {
            int in = i == 0 ? boc[0] : boc[i - 1], out = boc[i];
            for (int j = 0; j < c.layersPerBlock(); j++) {
                f += resnet(N, j == 0 ? in : out, out, h[i], w[i]);
                if (c.downHasAttention(i)) f += transformer(N, out, h[i], w[i]);
            }
            if (i < n - 1) f += conv2d(N, out, out, 3, h[i + 1], w[i + 1]);
        }
        int top = boc[n - 1];
        f += 2 * resnet(N, top, top, h[n - 1], w[n - 1]) + transformer(N, top, h[n - 1], w[n - 1]);
        for (int i = 0; i < n; i++) {
            int level = n - 1 - i, out = boc[level], prevOut = boc[n - 1 - Math.max(0, i - 1)], skipIn = boc[n - 1 - Math.min(i + 1, n - 1)];
            int layers = c.layersPerBlock() + 1;
            for (int j = 0; j < layers; j++) {
                f += resnet(N, (j == 0 ? prevOut : out) + (j == layers - 1 ? skipIn : out), out, h[level], w[level]);
                if (c.upHasAttention(i)) f += transformer(N, out, h[level], w[level]);
            }
            if (i < n - 1) f += conv2d(N, out, out, 3, h[level - 1], w[level - 1]);
        }
        return f + conv2d(N, boc[0], c.outChannels(), 3, h[0], w[0]);
    }

    /** One VAE decode (post_quant_conv and decoder) of latents [1, latent, H, W]. */
    static double vaeDecode(VaeConfig c, int H, int W) {
        int[] boc = c.blockOutChannels();
        int n = boc.length, top = boc[n - 1], lat = c.latentChannels();
        double f = conv2d(1, lat, lat, 1, H, W) + conv2d(1, lat, top, 3, H, W);
        f += 2 * resnet(1, top, top, H, W) + attention(1, top, (long) H * W);
        int prev = top, h = H, w = W;
        for (int i = 0; i < n; i++) {
            int out = boc[n - 1 - i];
            for (int j = 0; j <= c.layersPerBlock(); j++) f += resnet(1, j == 0 ? prev : out, out, h, w);
            if (i < n - 1) {
                h *= 2;
                w *= 2;
                f += conv2d(1, out, out, 3, h, w);
            }
            prev = out;
        }
        return f + conv2d(1, boc[0], c.outChannels(), 3, h, w);
    }

    /** One HiFi-GAN generator pass over {@code frames} mel frames. */
    static double vocoder(HifiGanConfig c, int frames) {
        long len = frames;
        double f = conv1d(c.numMels(), c.channels(-1), 7, len);
        for (int i = 0; i < c.stages(); i++) {
            int in = c.channels(i - 1), out = c.channels(i), k = c.upsampleKernelSizes()[i], u = c.upsampleRates()[i];
            f += 2.0 * in * out * k * len; // each input step scatters k outputs per (in, out) pair
            len = (len - 1) * u - 2L * ((k - u) / 2) + k;
            for (int j = 0; j < c.resblockKernelSizes().length; j++) {
                int convs = c.resblockDilations()[j].length * (c.resblock() == 1 ? 2 : 1);
                f += convs * conv1d(out, out, c.resblockKernelSizes()[j], len);
            }
        }
        return f + conv1d(c.channels(c.stages() - 1), 1, 7, len);
    }

    /** ResnetBlock2D: conv1 (3x3 in -> out), conv2 (3x3 out -> out), 1x1 shortcut when the widths differ. */
    static double resnet(int N, int in, int out, int H, int W) {
        return conv2d(N, in, out, 3, H, W) + conv2d(N, out, out, 3, H, W) + (in != out ? conv2d(N, in, out, 1, H, W) : 0);
    }

    /**
     * Transformer2DModel of one BasicTransformerBlock at width C over L = H W tokens: proj_in, proj_out (C^2 each),
     * attn1 and attn2 (self-attention, q/k/v/out 4 C^2 each), GEGLU feed-forward (C -> 8C, 4C -> C: 12 C^2).
     */
    static double transformer(int N, int C, int H, int W) {
        long L = (long) H * W;
        double f = 2.0 * N * L * (2.0 * C * C + 12.0 * C * C);
        return f + 2 * attention(N, C, L);
    }

    /** One self-attention over L tokens of width C: q, k, v, out projections and Q K^T, P V. */
    static double attention(int N, int C, long L) {
        return 2.0 * N * L * 4.0 * C * C + 2.0 * N * 2.0 * L * L * C;
    }

    static double conv2d(int N, int in, int out, int k, int OH, int OW) {
        return 2.0 * N * out * in * k * k * OH * OW;
    }

    static double conv1d(int in, int out, int k, long len) {
        return 2.0 * in * out * k * len;
    }
}
