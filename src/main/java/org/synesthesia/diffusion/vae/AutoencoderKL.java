package org.synesthesia.diffusion.vae;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Conv2d;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * diffusers {@code AutoencoderKL} (v0.25): {@code decode(z) = decoder(post_quant_conv(z))},
 * {@code encode(x) = DiagonalGaussian(quant_conv(encoder(x)))}. The latent scaling factor is the caller's:
 * {@link #decode} takes z as is, {@link #decodeLatents} divides by {@code scaling_factor} first (what the SD
 * pipeline does with the UNet's latents). Either half may be absent from a checkpoint (a decoder-only file);
 * calling it then is an error.
 */
public final class AutoencoderKL implements AutoCloseable {
    private final VaeConfig config;
    private final WeightSource source; // closed with this model, or null if the caller owns it
    private final String description;
    private final VaeEncoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final VaeDecoder decoder;

    private AutoencoderKL(VaeConfig config, WeightSource source, String description, VaeEncoder encoder, Conv2d quantConv,
                          Conv2d postQuantConv, VaeDecoder decoder) {
        this.config = config;
        this.source = source;
        this.description = description;
        this.encoder = encoder;
        this.quantConv = quantConv;
        this.postQuantConv = postQuantConv;
        this.decoder = decoder;
    }

    /**
     * Opens a VAE: a weights file (diffusers or LDM names, possibly a full SD checkpoint), a diffusers {@code vae/}
     * folder (config.json + weights) or a diffusers pipeline folder (its {@code vae/}). Without a config.json the
     * config is inferred from the tensor shapes ({@link VaeConfig#infer}).
     */
    public static AutoencoderKL load(Path path) {
        Path cfgFile = configFile(path);
        WeightSource src = WeightSources.open(path);
        try {
            VaeConfig cfg = cfgFile != null ? VaeConfig.fromJson(cfgFile) : null;
            return load(src, cfg, true);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** The config.json that goes with a VAE path: {@code path/config.json} or {@code path/vae/config.json}; else null. */
    static Path configFile(Path path) {
        if (!Files.isDirectory(path)) return null;
        if (Files.isRegularFile(path.resolve("model_index.json"))) {
            Path c = path.resolve("vae").resolve("config.json");
            return Files.isRegularFile(c) ? c : null;
        }
        Path c = path.resolve("config.json");
        return Files.isRegularFile(c) ? c : null;
    }

    /**
     * A VAE over {@code src}'s tensors (names mapped by {@link VaeNames}); {@code config} null = a converted file's
     * stored config ({@link VaeConfig#GGUF_KEY}), else inferred.
     * With {@code owns}, {@link #close()} closes {@code src}.
     */
    public static AutoencoderKL load(WeightSource src, VaeConfig config, boolean owns) {
        NameMapping names = VaeNames.mapping(src.names());
        if (names.canonicalToStored().isEmpty())
            throw new SynesthesiaException(src.description() + ": no AutoencoderKL tensors (looked for decoder.conv_in / encoder.conv_in under diffusers or LDM names)");
        Weights w = Weights.of("VAE", src, names);
        String stored = src.metadata().get(VaeConfig.GGUF_KEY); // a converted file's own config
        VaeConfig c = config != null ? config : stored != null ? VaeConfig.fromMap(jsonObject(stored, src, VaeConfig.GGUF_KEY), src.description() + " (vae config)")
                : VaeConfig.infer(w);
        boolean hasEnc = w.has("encoder.conv_in.weight"), hasDec = w.has("decoder.conv_in.weight");
        VaeEncoder enc = hasEnc ? VaeEncoder.load(w, c) : null;
        Conv2d qc = hasEnc && w.has("quant_conv.weight")
                ? Conv2d.load(w, "quant_conv", 2 * c.latentChannels(), 2 * c.latentChannels(), 1, 1, 0, true) : null;
        VaeDecoder dec = hasDec ? VaeDecoder.load(w, c) : null;
        Conv2d pqc = hasDec && w.has("post_quant_conv.weight")
                ? Conv2d.load(w, "post_quant_conv", c.latentChannels(), c.latentChannels(), 1, 1, 0, true) : null;
        String desc = "AutoencoderKL (" + names.layout() + "), widths " + java.util.Arrays.toString(c.blockOutChannels()) + (hasEnc ? "" : ", decoder only")
                + (hasDec ? "" : ", encoder only");
        return new AutoencoderKL(c, owns ? src : null, desc, enc, qc, pqc, dec);
    }

    private static Map<String, Object> jsonObject(String text, WeightSource src, String key) {
        try {
            return org.synesthesia.util.Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(src.description() + ": " + key + " is not a JSON object (" + e.getMessage() + ")");
        }
    }

    public VaeConfig config() { return config; }

    public String description() { return description; }

    public boolean hasEncoder() { return encoder != null; }

    public boolean hasDecoder() { return decoder != null; }

    /** z [N, latent, h, w] as is -> image [N, out, h*f, w*f] in about [-1, 1]; captures {@code post_quant_conv}, {@code decoder.*}. */
    public Tensor decode(Tensor z, Tracer tracer) {
        if (decoder == null) throw new SynesthesiaException(description + ": this checkpoint has no decoder");
        checkInput("latents", z, config.latentChannels());
        Tensor h = z;
        if (postQuantConv != null) {
            h = postQuantConv.forward(z);
            tracer.capture("post_quant_conv", h);
        }
        return decoder.forward(h, tracer);
    }

    public Tensor decode(Tensor z) {
        return decode(z, Tracer.NONE);
    }

    /** The pipeline's decode: {@code decode(latents / scaling_factor)}. */
    public Tensor decodeLatents(Tensor latents, Tracer tracer) {
        float[] z = latents.toArray();
        float s = (float) config.scalingFactor();
        for (int i = 0; i < z.length; i++) z[i] /= s;
        return decode(Tensor.of(z, latents.shape()), tracer);
    }

    public Tensor decodeLatents(Tensor latents) {
        return decodeLatents(latents, Tracer.NONE);
    }

    /** image [N, in, H, W] in [-1, 1] (H, W multiples of 2^(levels-1)) -> the latent distribution; captures {@code encoder.*}, {@code quant_conv}. */
    public DiagonalGaussian encode(Tensor x, Tracer tracer) {
        if (encoder == null) throw new SynesthesiaException(description + ": this checkpoint has no encoder");
        checkInput("image", x, config.inChannels());
        Tensor h = encoder.forward(x, tracer);
        if (quantConv != null) {
            h = quantConv.forward(h);
            tracer.capture("quant_conv", h);
        }
        return DiagonalGaussian.of(h);
    }

    public DiagonalGaussian encode(Tensor x) {
        return encode(x, Tracer.NONE);
    }

    private void checkInput(String what, Tensor t, int channels) {
        if (t.rank() != 4 || t.dim(1) != channels)
            throw new SynesthesiaException(description + ": " + what + " have shape " + java.util.Arrays.toString(t.shape())
                    + ", expected [N, " + channels + ", H, W]");
    }

    @Override
    public void close() {
        if (source != null) source.close();
    }
}
