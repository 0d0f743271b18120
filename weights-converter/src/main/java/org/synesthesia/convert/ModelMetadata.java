package org.synesthesia.convert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmFolder;
import org.synesthesia.audioldm.AudioLdmGguf;
import org.synesthesia.audioldm.ClapTokenizers;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clap.ClapNames;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clip.ClipNames;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.clip.ClipVisionNames;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.SdGguf;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.unet.UNetNames;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.ModelFamily;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.WhisperGguf;
import org.synesthesia.whisper.WhisperModel;
import org.synesthesia.whisper.WhisperNames;

/**
 * The model-level part of a converted file: its architecture, the metadata that makes it self-contained
 * (configs, tokenizer, mel filters, scheduler; FORMAT.md) and which of the input's tensors belong to it.
 * Recognising an input also binds the engine's model over it, so a missing tensor or a wrong shape stops the
 * conversion with one line naming the file and the tensor before anything is written.
 */
abstract class ModelMetadata {
    abstract String architecture();

    abstract void write(GgufWriter w);

    /**
     * The model parts whose tensors the file holds, each a family's name mapping over the input and the prefix
     * its canonical names take in the file; input tensors no part maps are left out.
     */
    abstract List<CanonicalTensors.Part> parts();

    /** Recognises the input: AudioLDM, Whisper, a CLIP image encoder, or Stable Diffusion (a whole pipeline or some of its components). */
    static ModelMetadata of(Path input, WeightSource src, Converter.Options o) {
        if (input.toString().startsWith(Converter.RANDOM + "sd"))
            return stableDiffusion(src, randomUNet(input.toString().contains("sd21") ? UNetConfig.sd2() : UNetConfig.sd1()));
        if (AudioLdmFolder.isAudioLdmFolder(input)) return audioLdmFolder(input, src, audioLdmTokenizer(input, o));
        if (isAudioLdm(src)) return audioLdm(src, audioLdmTokenizer(input, o));
        if (WhisperNames.isWhisper(src.names())) {
            WhisperGguf.Bundle b = WhisperGguf.fromInput(input, src, o.tokenizer());
            WhisperModel.bind(WhisperNames.of(src), b.config());
            return new ModelMetadata() {
                @Override String architecture() { return "whisper"; }
                @Override void write(GgufWriter w) { WhisperGguf.write(w, b); }
                @Override List<CanonicalTensors.Part> parts() {
                    return List.of(CanonicalTensors.Part.of("", ModelFamily.byId("whisper"), src));
                }
            };
        }
        if (isClipVision(src)) return clipVision(input, src);
        if (!SdGguf.holdsComponent(src.names()))
            throw SynesthesiaException.inFile(input, "not a Whisper, Stable Diffusion or CLIP image encoder checkpoint (" + src.names().size() + " tensors, e.g. "
                    + src.names().stream().limit(3).toList() + ")");
        SdGguf.Bundle b = SdGguf.fromInput(input, src, o.tokenizer(), o.prediction());
        bind(src, b);
        return stableDiffusion(src, b);
    }

    /**
     * A CLIP image encoder (a CLIPVisionModelWithProjection, or the vision half of a full CLIPModel, whose text
     * half is then left out) without a UNet or VAE beside it (an SD pipeline's image_encoder/ stays out of SD files).
     */
    static boolean isClipVision(WeightSource src) {
        if (!ClipVisionNames.isClipVision(src.names())) return false;
        for (ModelFamily f : ModelFamily.recognising(src)) if (f.id().equals("unet") || f.id().equals("vae")) return false;
        return true;
    }

    /** The image encoder bound with its config (config.json, a converted file's, or inferred); canonical names, config as {@code clip-vision.config}. */
    private static ModelMetadata clipVision(Path input, WeightSource src) {
        Weights w = ClipVisionNames.of(src);
        ClipVisionConfig c = ClipVisionModel.configFor(input, src, w);
        ClipVisionModel.bind(w, c);
        String config = Json.write(c.toMap());
        List<CanonicalTensors.Part> parts = List.of(CanonicalTensors.Part.of("", ModelFamily.byId("clip-vision"), src));
        return new ModelMetadata() {
            @Override String architecture() { return "clip-vision"; }
            @Override void write(GgufWriter gw) { gw.put(ClipVisionModel.STORED_CONFIG, config); }
            @Override List<CanonicalTensors.Part> parts() { return parts; }
        };
    }

    /** An AudioLDM checkpoint in the original layout: the FiLM-conditioned UNet beside the VAE's vocoder. */
    static boolean isAudioLdm(WeightSource src) {
        return src.names().contains(AUDIOLDM_UNET_MARK) && src.names().stream().anyMatch(n -> n.startsWith(AUDIOLDM_VOCODER));
    }

    private static final String AUDIOLDM_UNET_MARK = "model.diffusion_model.film_emb.weight", AUDIOLDM_VOCODER = "first_stage_model.vocoder.";

    /**
     * AudioLDM: binds the whole model over {@code src} (its CLAP branch too when present), then writes
     * {@code unet/}, {@code vae/}, {@code vocoder/} and {@code text_encoder/} + canonical names with the scale factor
     * and part configs ({@link AudioLdmGguf}).
     */
    private static ModelMetadata audioLdm(WeightSource src, RobertaTokenizer tokenizer) {
        ClapTextModel clap = null;
        if (ClapNames.isClapText(src.names())) {
            Weights w = ClapNames.of(src);
            clap = ClapTextModel.bind(w, ClapTextConfig.infer(w));
        }
        AudioLdm m = AudioLdm.load(src, clap, AudioLdm.scaleFactorOf(src)); // not closed: src belongs to the converter
        return audioLdm(src, AudioLdmGguf.metadata(m, tokenizer), m.unet().config().layersPerBlock());
    }

    /**
     * The RoBERTa tokenizer an AudioLDM file carries (used only when it has a CLAP branch): {@code --tokenizer} when
     * given, else a tokenizer/ or roberta-base/ folder beside or inside the input, else none (then {@code audio}
     * needs {@code --tokenizer}).
     */
    private static RobertaTokenizer audioLdmTokenizer(Path input, Converter.Options o) {
        if (o.tokenizer() != null) return RobertaTokenizer.fromFolder(ClapTokenizers.checkFolder(o.tokenizer()));
        return ClapTokenizers.beside(input, null).map(RobertaTokenizer::fromFolder).orElse(null);
    }

    /** A diffusers AudioLDMPipeline folder: its parts bound from their own configs, written as {@link #audioLdm(WeightSource, RobertaTokenizer)} does. */
    private static ModelMetadata audioLdmFolder(Path folder, WeightSource src, RobertaTokenizer tokenizer) {
        try (AudioLdm m = AudioLdmFolder.load(folder, null)) {
            return audioLdm(src, AudioLdmGguf.metadata(m, tokenizer), m.unet().config().layersPerBlock());
        }
    }

    private static ModelMetadata audioLdm(WeightSource src, Map<String, GgufValue> metadata, int unetLayersPerBlock) {
        List<CanonicalTensors.Part> parts = new ArrayList<>();
        parts.add(new CanonicalTensors.Part(AudioLdmGguf.UNET_PREFIX, UNetNames.mapping(src, unetLayersPerBlock), ModelFamily.byId("unet")::canonicalShape));
        parts.add(CanonicalTensors.Part.of(AudioLdmGguf.VAE_PREFIX, ModelFamily.byId("vae"), src));
        parts.add(CanonicalTensors.Part.of(AudioLdmGguf.VOCODER_PREFIX, ModelFamily.byId("hifigan"), src));
        if (metadata.containsKey(AudioLdmGguf.TEXT_ENCODER))
            parts.add(CanonicalTensors.Part.of(AudioLdmGguf.TEXT_ENCODER_PREFIX, ModelFamily.byId("clap-text"), src));
        return new ModelMetadata() {
            @Override String architecture() { return AudioLdmGguf.ARCHITECTURE; }
            @Override void write(GgufWriter w) { AudioLdmGguf.write(w, metadata); }
            @Override List<CanonicalTensors.Part> parts() { return parts; }
        };
    }

    private static ModelMetadata stableDiffusion(WeightSource src, SdGguf.Bundle b) {
        List<CanonicalTensors.Part> parts = sdParts(src, b);
        return new ModelMetadata() {
            @Override String architecture() { return SdGguf.ARCHITECTURE; }
            @Override void write(GgufWriter w) { SdGguf.write(w, b); }
            @Override List<CanonicalTensors.Part> parts() { return parts; }
        };
    }

    /** The components present, written as {@code unet/}, {@code vae/} and {@code text_encoder/} + canonical names. */
    static List<CanonicalTensors.Part> sdParts(WeightSource src, SdGguf.Bundle b) {
        List<CanonicalTensors.Part> parts = new ArrayList<>();
        if (b.unetConfig() != null)
            // the config's layers_per_block reads LDM names exactly; the family's own mapping would infer it
            parts.add(new CanonicalTensors.Part(SdGguf.UNET_PREFIX, UNetNames.mapping(src, UNetConfig.fromJson(b.unetConfig()).layersPerBlock()),
                    ModelFamily.byId("unet")::canonicalShape));
        if (b.vaeConfig() != null) parts.add(CanonicalTensors.Part.of(SdGguf.VAE_PREFIX, ModelFamily.byId("vae"), src));
        if (b.textEncoderConfig() != null) parts.add(CanonicalTensors.Part.of(SdGguf.TEXT_ENCODER_PREFIX, ModelFamily.byId("clip-text"), src));
        return parts;
    }

    /** SD 1.5 / 2.1's UNet config and the SD scheduler, for {@code random:} inputs. */
    private static SdGguf.Bundle randomUNet(UNetConfig c) {
        return new SdGguf.Bundle(c.toMap(), null, null, SchedulerConfig.stableDiffusion(PredictionType.EPSILON).toMap("PNDMScheduler"),
                null, null, 0, 0);
    }

    /** Builds each present component over {@code src} with its config: every tensor present with its shape. */
    private static void bind(WeightSource src, SdGguf.Bundle b) {
        if (b.unetConfig() != null) {
            UNetConfig c = UNetConfig.fromJson(b.unetConfig());
            new UNet2DConditionModel(c, UNet2DConditionModel.weights(src, c.layersPerBlock()));
        }
        if (b.vaeConfig() != null) AutoencoderKL.load(src, VaeConfig.fromMap(b.vaeConfig(), src.description() + " (vae config)"), false);
        if (b.textEncoderConfig() != null)
            ClipTextModel.bind(ClipNames.of(src), ClipTextConfig.fromMap(b.textEncoderConfig(), src.description() + " (text encoder config)"));
    }
}
