package org.synesthesia.diffusion.vae;

import org.synesthesia.diffusion.unet.UNetConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * diffusers {@code AutoencoderKL} config ({@code vae/config.json}). {@code blockOutChannels[i]} is the width of
 * encoder level i (decoder levels in reverse); the encoder halves the resolution {@code levels-1} times and the
 * decoder doubles it as often. {@code scalingFactor} is applied by the pipeline, not by {@link AutoencoderKL#decode}.
 */
public record VaeConfig(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock, int latentChannels,
                        int normNumGroups, double scalingFactor, int sampleSize) {
    /** GroupNorm epsilon of every VAE norm. */
    public static final float EPS = 1e-6f;
    /** The GGUF metadata key under which a converted file stores this config as JSON. */
    public static final String GGUF_KEY = "stable-diffusion.vae.config";
    /** Upper bound on any width, channel count or sample size a config may give. */
    static final int MAX_SIZE = 1 << 16;

    public VaeConfig {
        blockOutChannels = blockOutChannels.clone();
        if (normNumGroups <= 0 || normNumGroups > MAX_SIZE)
            throw new IllegalArgumentException("VAE config: norm_num_groups must be positive, got " + normNumGroups);
        if (blockOutChannels.length == 0 || blockOutChannels.length > 16)
            throw new IllegalArgumentException("VAE config: block_out_channels needs 1..16 levels, got " + blockOutChannels.length);
        for (int i = 0; i < blockOutChannels.length; i++)
            if (blockOutChannels[i] <= 0 || blockOutChannels[i] > MAX_SIZE || blockOutChannels[i] % normNumGroups != 0)
                throw new IllegalArgumentException("VAE config: block_out_channels[" + i + "] = " + blockOutChannels[i] + " is not a positive multiple of norm_num_groups " + normNumGroups);
        int[] v = {inChannels, outChannels, layersPerBlock, latentChannels, sampleSize};
        String[] k = {"in_channels", "out_channels", "layers_per_block", "latent_channels", "sample_size"};
        for (int i = 0; i < v.length; i++)
            if (v[i] <= 0 || v[i] > MAX_SIZE) throw new IllegalArgumentException("VAE config: " + k[i] + " must be in 1.." + MAX_SIZE + ", got " + v[i]);
        if (!(scalingFactor > 0) || Double.isInfinite(scalingFactor))
            throw new IllegalArgumentException("VAE config: scaling_factor must be a positive number, got " + scalingFactor);
    }

    /** Stable Diffusion 1.x / 2.x: widths 128, 256, 512, 512, two resnets per level, 4 latent channels, 0.18215. */
    public static VaeConfig stableDiffusion() {
        return new VaeConfig(3, 3, new int[] {128, 256, 512, 512}, 2, 4, 32, 0.18215, 512);
    }

    public int levels() { return blockOutChannels.length; }

    /** Image pixels per latent position along each axis: 2^(levels-1). */
    public int downscale() { return 1 << (levels() - 1); }

    @Override public int[] blockOutChannels() { return blockOutChannels.clone(); }

    int width(int level) { return blockOutChannels[level]; }

    public static VaeConfig fromJson(Path file) {
        try {
            return fromMap(ReadFile.configObject(file, "not a VAE config"), file.toString());
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(file, e.getMessage());
        }
    }

    /** From a parsed config; missing keys take diffusers' defaults for AutoencoderKL except where noted. */
    public static VaeConfig fromMap(Map<String, Object> m, String source) {
        Object cls = m.get("_class_name");
        if (cls != null && !"AutoencoderKL".equals(cls))
            throw new SynesthesiaException(source + ": a " + cls + " config, expected AutoencoderKL");
        checkTypes(m, "down_block_types", "DownEncoderBlock2D", source);
        checkTypes(m, "up_block_types", "UpDecoderBlock2D", source);
        Object act = m.getOrDefault("act_fn", "silu");
        if (!"silu".equals(act)) throw new SynesthesiaException(source + ": act_fn '" + act + "' is not supported (only silu)");
        Object boc = m.getOrDefault("block_out_channels", List.of(64));
        if (!(boc instanceof List<?> l) || l.isEmpty()) throw new SynesthesiaException(source + ": block_out_channels is not a non-empty list");
        int[] widths = new int[l.size()];
        for (int i = 0; i < widths.length; i++) widths[i] = toInt(l.get(i), "block_out_channels", source);
        try {
            return new VaeConfig(
                    toInt(m.getOrDefault("in_channels", 3), "in_channels", source),
                    toInt(m.getOrDefault("out_channels", 3), "out_channels", source),
                    widths,
                    toInt(m.getOrDefault("layers_per_block", 1), "layers_per_block", source),
                    toInt(m.getOrDefault("latent_channels", 4), "latent_channels", source),
                    toInt(m.getOrDefault("norm_num_groups", 32), "norm_num_groups", source),
                    toDouble(m.getOrDefault("scaling_factor", 0.18215), "scaling_factor", source),
                    toInt(m.getOrDefault("sample_size", 32), "sample_size", source));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(source + ": " + e.getMessage());
        }
    }

    /**
     * The config implied by a checkpoint's shapes (for single files without config.json): widths from the
     * encoder's (or decoder's) convolutions, resnets per level, latent and image channels; norm groups 32 and
     * scaling factor 0.18215 (Stable Diffusion 1.x/2.x) are assumed.
     */
    public static VaeConfig infer(Weights w) {
        String src = w.source().description();
        int levels = 0;
        while (w.has("encoder.down_blocks." + levels + ".resnets.0.conv1.weight")
                || w.has("decoder.up_blocks." + levels + ".resnets.0.conv1.weight")) levels++;
        if (levels == 0) throw new SynesthesiaException(src + ": no VAE down or up blocks found");
        boolean enc = w.has("encoder.conv_in.weight");
        int[] widths = new int[levels];
        for (int i = 0; i < levels; i++)
            widths[i] = (int) (enc ? dim(w, "encoder.down_blocks." + i + ".resnets.0.conv1.weight", 0)
                    : dim(w, "decoder.up_blocks." + (levels - 1 - i) + ".resnets.0.conv2.weight", 0));
        int layers = 0;
        if (enc) while (w.has("encoder.down_blocks.0.resnets." + layers + ".conv1.weight")) layers++;
        else {
            while (w.has("decoder.up_blocks.0.resnets." + layers + ".conv1.weight")) layers++;
            layers--;
        }
        int latent = w.has("decoder.conv_in.weight") ? (int) dim(w, "decoder.conv_in.weight", 1) : (int) dim(w, "encoder.conv_out.weight", 0) / 2;
        int in = enc ? (int) dim(w, "encoder.conv_in.weight", 1) : 3;
        int out = w.has("decoder.conv_out.weight") ? (int) dim(w, "decoder.conv_out.weight", 0) : 3;
        try {
            return new VaeConfig(in, out, widths, layers, latent, 32, 0.18215, widths.length == 4 ? 512 : 32 << (levels - 1));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(src + ": " + e.getMessage());
        }
    }

    private static long dim(Weights w, String name, int d) {
        StoredTensor t = w.get(name);
        if (t.rank() <= d) throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString());
        return t.shape()[d];
    }

    /** This config as diffusers' {@code vae/config.json} keys ({@link #fromMap} reads it back equal). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("_class_name", "AutoencoderKL");
        m.put("in_channels", (long) inChannels);
        m.put("out_channels", (long) outChannels);
        m.put("down_block_types", java.util.Collections.nCopies(blockOutChannels.length, "DownEncoderBlock2D"));
        m.put("up_block_types", java.util.Collections.nCopies(blockOutChannels.length, "UpDecoderBlock2D"));
        m.put("block_out_channels", UNetConfig.longs(blockOutChannels));
        m.put("layers_per_block", (long) layersPerBlock);
        m.put("act_fn", "silu");
        m.put("latent_channels", (long) latentChannels);
        m.put("norm_num_groups", (long) normNumGroups);
        m.put("sample_size", (long) sampleSize);
        m.put("scaling_factor", scalingFactor);
        return m;
    }

    private static void checkTypes(Map<String, Object> m, String key, String expected, String source) {
        Object v = m.get(key);
        if (v == null) return;
        if (!(v instanceof List<?> l)) throw new SynesthesiaException(source + ": " + key + " is not a list");
        for (Object t : l)
            if (!expected.equals(t)) throw new SynesthesiaException(source + ": " + key + " has '" + t + "', only " + expected + " is supported");
    }

    private static int toInt(Object v, String key, String source) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) return n.intValue();
        throw new SynesthesiaException(source + ": " + key + " is " + v + ", expected an integer");
    }

    private static double toDouble(Object v, String key, String source) {
        if (v instanceof Number n) return n.doubleValue();
        throw new SynesthesiaException(source + ": " + key + " is " + v + ", expected a number");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaeConfig c && inChannels == c.inChannels && outChannels == c.outChannels
                && Arrays.equals(blockOutChannels, c.blockOutChannels) && layersPerBlock == c.layersPerBlock
                && latentChannels == c.latentChannels && normNumGroups == c.normNumGroups
                && Double.compare(scalingFactor, c.scalingFactor) == 0 && sampleSize == c.sampleSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blockOutChannels) * 31 + Double.hashCode(scalingFactor) + layersPerBlock;
    }

    @Override
    public String toString() {
        return "VaeConfig[widths " + Arrays.toString(blockOutChannels) + ", layers_per_block " + layersPerBlock + ", latent "
                + latentChannels + ", groups " + normNumGroups + ", scaling " + scalingFactor + ", sample_size " + sampleSize + "]";
    }
}
