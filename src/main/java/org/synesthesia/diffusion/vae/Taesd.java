package org.synesthesia.diffusion.vae;

import java.nio.file.Path;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Conv;
import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * TAESD's decoder (madebyollin/taesd {@code taesd.py Decoder}), a tiny stand-in for the SD VAE decoder:
 * SD latents [N, latent, h, w] (already scaled by 0.18215, as the UNet produces them) -> image [N, 3, 8h, 8w] in
 * about [0, 1] (not clamped here). The layers, by their index in the reference {@code nn.Sequential}:
 * <pre>
 *  0 Clamp: tanh(x/3)*3      1 conv(latent, 64)   2 ReLU      3-5 Block(64, 64)
 *  6 Upsample x2 (nearest)   7 conv(64, 64, no bias)          8-10 Block(64, 64)
 * 11 Upsample x2            12 conv(64, 64, no bias)          13-15 Block(64, 64)
 * 16 Upsample x2            17 conv(64, 64, no bias)          18 Block(64, 64)   19 conv(64, 3)
 * </pre>
 * Weights are taesd.py's state-dict names {@code N.weight}, {@code N.conv.M.weight}, found under the prefixes
 * {@code first_stage_model.decoder.} (sd.cpp GGUF), {@code decoder.layers.} (diffusers AutoencoderTiny),
 * {@code decoder.} or none. Modules are traced as {@code decoder.N} (the names inside taesd.py's {@code TAESD}).
 */
public final class Taesd implements AutoCloseable {
    /** taesd.py latent_magnitude and latent_shift: {@code scale_latents(x) = clamp(x/(2*3) + 0.5, 0, 1)}. */
    static final float LATENT_MAGNITUDE = 3f, LATENT_SHIFT = 0.5f;

    private static final String[] PREFIXES = {"first_stage_model.decoder.", "decoder.layers.", "decoder.", ""};
    private static final int[] BLOCKS = {3, 4, 5, 8, 9, 10, 13, 14, 15, 18};
    private static final int[] UPSAMPLES = {6, 11, 16};
    private static final int LAYERS = 20;
    static final int WIDTH = 64;

    private final WeightSource source;
    private final int latentChannels;
    private final Object[] layers; // Conv2d, TaesdBlock, or a String naming a parameter-free layer

    private Taesd(WeightSource source, int latentChannels, Object[] layers) {
        this.source = source;
        this.latentChannels = latentChannels;
        this.layers = layers;
    }

    public static Taesd load(Path file) {
        WeightSource src = WeightSources.open(file);
        try {
            return load(src, true);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** The prefix under which {@code names} hold a TAESD decoder, or null. */
    static String prefix(java.util.Collection<String> names) {
        for (String p : PREFIXES)
            if (names.contains(p + "1.weight") && names.contains(p + "3.conv.0.weight") && names.contains(p + "19.weight")) return p;
        return null;
    }

    /** A TAESD decoder over {@code src}; with {@code owns}, {@link #close()} closes it. Every tensor under the prefix must be used. */
    public static Taesd load(WeightSource src, boolean owns) {
        String p = prefix(src.names());
        if (p == null) throw new SynesthesiaException(src.description() + ": not a TAESD decoder (no tensors 1.weight, 3.conv.0.weight, 19.weight)");
        Weights w = Weights.prefixed("TAESD", src, p);
        StoredTensor t1 = w.get("1.weight");
        long[] s1 = t1.shape();
        if (s1.length != 4) throw new SynesthesiaException(src.description() + ": tensor " + t1.name() + " has shape " + java.util.Arrays.toString(s1));
        int latent = (int) s1[1];
        Object[] layers = new Object[LAYERS];
        layers[0] = "clamp";
        layers[1] = Conv2d.load(w, "1", latent, WIDTH, 3, 1, 1, true);
        layers[2] = "relu";
        for (int b : BLOCKS) layers[b] = TaesdBlock.load(w, String.valueOf(b), WIDTH, WIDTH);
        for (int u : UPSAMPLES) {
            layers[u] = "upsample";
            layers[u + 1] = Conv2d.load(w, String.valueOf(u + 1), WIDTH, WIDTH, 3, 1, 1, false);
        }
        layers[19] = Conv2d.load(w, "19", WIDTH, 3, 3, 1, 1, true);
        int used = 4 + 10 * 6 + 3;
        int count = 0;
        for (String n : src.names()) {
            if (!n.startsWith(p)) continue;
            count++;
            if (!n.substring(p.length()).matches("(1|19)\\.(weight|bias)|(7|12|17)\\.weight|(3|4|5|8|9|10|13|14|15|18)\\.conv\\.[024]\\.(weight|bias)"))
                throw new SynesthesiaException(src.description() + ": unexpected TAESD tensor '" + n + "'");
        }
        if (count != used) throw new SynesthesiaException(src.description() + ": " + count + " TAESD tensors, expected " + used);
        return new Taesd(owns ? src : null, latent, layers);
    }

    public int latentChannels() { return latentChannels; }

    public String description() { return "TAESD decoder, " + latentChannels + " latent channels"; }

    /** latents [N, latent, h, w] -> image [N, 3, 8h, 8w], raw (about [0, 1]); captures {@code decoder.N}, {@code decoder}. */
    public Tensor decode(Tensor latents, Tracer tracer) {
        if (latents.rank() != 4 || latents.dim(1) != latentChannels)
            throw new SynesthesiaException(description() + ": latents have shape " + java.util.Arrays.toString(latents.shape())
                    + ", expected [N, " + latentChannels + ", h, w]");
        boolean big = (long) latents.dim(2) * latents.dim(3) >= 32 * 32;
        try (Progress p = big ? Progress.start("taesd decode", LAYERS, "layers") : null) {
            Tensor h = latents;
            for (int i = 0; i < LAYERS; i++) {
                Object l = layers[i];
                if (l instanceof Conv2d c) h = c.forward(h);
                else if (l instanceof TaesdBlock b) h = b.forward(h);
                else if ("clamp".equals(l)) h = clamp(h);
                else if ("relu".equals(l)) relu(h);
                else h = Conv.upsampleNearest2x(h);
                tracer.capture("decoder." + i, h);
                if (p != null) p.step();
            }
            tracer.capture("decoder", h);
            return h;
        }
    }

    public Tensor decode(Tensor latents) {
        return decode(latents, Tracer.NONE);
    }

    /** taesd.py {@code Clamp}: tanh(x/3)*3, as a new tensor. */
    static Tensor clamp(Tensor x) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.tanh(v[i] / 3f) * 3f;
        return Tensor.of(v, x.shape());
    }

    /** ReLU in place on a contiguous tensor. */
    static void relu(Tensor x) {
        float[] d = x.data();
        for (int i = x.offset(), e = x.offset() + x.size(); i < e; i++) d[i] = Math.max(0f, d[i]);
    }

    /** taesd.py {@code TAESD.scale_latents}: clamp(x/(2*3) + 0.5, 0, 1), latents to [0, 1] (e.g. to store as an image). */
    public static Tensor scaleLatents(Tensor x) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.min(1f, Math.max(0f, v[i] / (2 * LATENT_MAGNITUDE) + LATENT_SHIFT));
        return Tensor.of(v, x.shape());
    }

    /** taesd.py {@code TAESD.unscale_latents}: (x - 0.5) * 6. */
    public static Tensor unscaleLatents(Tensor x) {
        float[] v = x.toArray();
        for (int i = 0; i < v.length; i++) v[i] = (v[i] - LATENT_SHIFT) * (2 * LATENT_MAGNITUDE);
        return Tensor.of(v, x.shape());
    }

    @Override
    public void close() {
        if (source != null) source.close();
    }
}
