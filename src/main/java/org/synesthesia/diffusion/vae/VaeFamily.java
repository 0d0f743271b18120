package org.synesthesia.diffusion.vae;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code trace} on a VAE: an AutoencoderKL weights file (diffusers or LDM names; a full SD checkpoint only when
 * {@code --part encoder|decoder} is given, as its default part is the UNet's), a diffusers {@code vae/} folder
 * (config.json with {@code _class_name} AutoencoderKL), a diffusers pipeline folder with {@code --part
 * encoder|decoder}, or a TAESD decoder (GGUF / safetensors). Parts:
 * <ul>
 *   <li>{@code decoder} (default): input {@code latent_sample} [N, latent, h, w], used as is (no 1/scaling_factor)
 *       -> {@code decode(z)} [N, 3, H, W]; modules {@code post_quant_conv}, {@code decoder.*} (TAESD: {@code decoder.N});</li>
 *   <li>{@code encoder} (default when the inputs hold {@code sample} and no {@code latent_sample}): input
 *       {@code sample} [N, 3, H, W] -> {@code quant_conv(encoder(sample))} (the moments) [N, 2*latent, h, w];
 *       modules {@code encoder.*}, {@code quant_conv}, and {@code latent_dist.mean/logvar/std}.</li>
 * </ul>
 */
public final class VaeFamily extends Family {
    public VaeFamily() {
        super("vae", "Stable Diffusion's AutoencoderKL (diffusers or LDM names) and the TAESD decoder",
                s -> VaeNames.prefix(s.names()) != null || Taesd.prefix(s.names()) != null, VaeFamily::mappingOf);
    }

    private static NameMapping mappingOf(WeightSource source) {
        if (VaeNames.prefix(source.names()) != null) return VaeNames.mapping(source.names());
        return NameMapping.prefixed(source.names(), Taesd.prefix(source.names()));
    }

    @Override
    public long[] canonicalShape(String canonicalName, long[] storedShape) {
        return VaeNames.canonicalShape(canonicalName, storedShape);
    }

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        String p = part != null ? part : inputNames.contains("sample") && !inputNames.contains("latent_sample") ? "encoder" : "decoder";
        if (Files.isDirectory(model)) return openFolder(model, part, p);
        if (!Files.isRegularFile(model) || WeightSources.detect(model) == WeightSources.Format.UNKNOWN) return Optional.empty();
        WeightSource src = WeightSources.open(model);
        try {
            Collection<String> names = src.names();
            if (Taesd.prefix(names) != null) {
                if (!p.equals("decoder"))
                    throw SynesthesiaException.inFile(model, "a TAESD decoder has the part 'decoder' only, not '" + p + "'");
                return Optional.of(taesdPart(Taesd.load(src, true)));
            }
            if (VaeNames.prefix(names) == null || part == null && holdsOtherModels(names)) {
                src.close();
                return Optional.empty();
            }
            return Optional.of(vaePart(AutoencoderKL.load(src, null, true), p, model));
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Optional<Traceable> openFolder(Path dir, String part, String p) {
        Path cfg;
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            if (part == null || !Files.isDirectory(dir.resolve("vae"))) return Optional.empty(); // the pipeline's default part is not ours
            if (!part.equals("encoder") && !part.equals("decoder")) return Optional.empty();
            dir = dir.resolve("vae");
        }
        cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) return Optional.empty();
        // a config.json that cannot be read or is empty is an error here, not "some other factory's folder"
        Object cls = ReadFile.configObject(cfg, "not a config").get("_class_name");
        if (!"AutoencoderKL".equals(cls)) return Optional.empty();
        AutoencoderKL vae = AutoencoderKL.load(dir);
        try {
            return Optional.of(vaePart(vae, p, dir));
        } catch (RuntimeException e) {
            vae.close();
            throw e;
        }
    }

    /** A full SD checkpoint also holds the UNet and text encoder; its default part belongs to the UNet's factory. */
    private static boolean holdsOtherModels(Collection<String> names) {
        for (String n : names)
            if (n.startsWith("model.diffusion_model.") || n.startsWith("cond_stage_model.") || n.startsWith("unet/")
                    || n.startsWith("text_encoder/")) return true;
        return false;
    }

    private static Traceable vaePart(AutoencoderKL vae, String p, Path model) {
        return switch (p) {
            case "decoder" -> {
                if (!vae.hasDecoder()) throw SynesthesiaException.inFile(model, "this VAE checkpoint has no decoder");
                yield Traceable.of(vae.description() + ", decoder", List.of("latent_sample"),
                        (inputs, tracer) -> vae.decode(TraceInputs.require(inputs, "vae decoder", "latent_sample"), tracer), vae::close);
            }
            case "encoder" -> {
                if (!vae.hasEncoder()) throw SynesthesiaException.inFile(model, "this VAE checkpoint has no encoder");
                yield Traceable.of(vae.description() + ", encoder", List.of("sample"), (inputs, tracer) -> {
                    DiagonalGaussian d = vae.encode(TraceInputs.require(inputs, "vae encoder", "sample"), tracer);
                    tracer.capture("latent_dist.mean", d.mean());
                    tracer.capture("latent_dist.logvar", d.logvar());
                    tracer.capture("latent_dist.std", d.std());
                    return d.moments();
                }, vae::close);
            }
            default -> throw SynesthesiaException.inFile(model, "a VAE has parts 'encoder' and 'decoder', not '" + p + "'");
        };
    }

    private static Traceable taesdPart(Taesd taesd) {
        return Traceable.of(taesd.description(), List.of("latent_sample"),
                (inputs, tracer) -> taesd.decode(TraceInputs.require(inputs, "taesd decoder", "latent_sample"), tracer), taesd::close);
    }
}
