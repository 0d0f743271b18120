package org.synesthesia.audioldm;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.clap.ClapNames;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.diffusion.SdGguf;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.PrefixedSource;
import org.synesthesia.io.WeightSource;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGan;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * A converted AudioLDM file: {@code general.architecture = audioldm}, tensors {@code unet/} (diffusers names),
 * {@code vae/}, {@code vocoder/} (HiFi-GAN canonical names) and, when present, {@code text_encoder/} (CLAP
 * canonical names); metadata {@code audioldm.scale_factor} and each part's config as a JSON string.
 */
public final class AudioLdmGguf {
    public static final String ARCHITECTURE = "audioldm";
    public static final String UNET_PREFIX = "unet/", VAE_PREFIX = "vae/", VOCODER_PREFIX = "vocoder/", TEXT_ENCODER_PREFIX = "text_encoder/";
    public static final String SCALE_FACTOR = "audioldm.scale_factor", UNET = "audioldm.unet.config", VAE = "audioldm.vae.config",
            VOCODER = "audioldm.vocoder.config", TEXT_ENCODER = "audioldm.text_encoder.config";
    /** {@code tokenizer.ggml.model} of a stored RoBERTa tokenizer. */
    public static final String TOKENIZER_MODEL = "roberta";

    private AudioLdmGguf() {}

    /** Whether {@code source} is a converted AudioLDM file. */
    public static boolean isConverted(WeightSource source) {
        return ARCHITECTURE.equals(source.metadata().get("general.architecture"));
    }

    /** As {@link #metadata(AudioLdm, RobertaTokenizer)} without a tokenizer. */
    public static Map<String, GgufValue> metadata(AudioLdm m) {
        return metadata(m, null);
    }

    /**
     * The metadata of {@code m}: its scale factor and part configs (the CLAP config only when it has a CLAP branch),
     * and with a CLAP branch and {@code tokenizer} not null the RoBERTa tokenizer ({@code tokenizer.ggml.model =
     * roberta}, tokens by id, merges in rank order, bos/eos/pad ids), key -> value.
     */
    public static Map<String, GgufValue> metadata(AudioLdm m, RobertaTokenizer tokenizer) {
        Map<String, GgufValue> md = new java.util.LinkedHashMap<>();
        md.put(SCALE_FACTOR, GgufValue.f32(m.scaleFactor()));
        md.put(UNET, GgufValue.string(Json.write(m.unet().config().toMap())));
        md.put(VAE, GgufValue.string(Json.write(m.vae().config().toMap())));
        md.put(VOCODER, GgufValue.string(Json.write(m.vocoder().config().toMap())));
        if (m.hasClap()) md.put(TEXT_ENCODER, GgufValue.string(Json.write(m.clap().config().toMap())));
        if (m.hasClap() && tokenizer != null) {
            List<String> vocab = tokenizer.vocabulary();
            for (int i = 0; i < vocab.size(); i++)
                if (vocab.get(i) == null) throw new IllegalArgumentException("RoBERTa vocabulary: id " + i + " has no token");
            md.put(SdGguf.TOKENIZER_MODEL, GgufValue.string(TOKENIZER_MODEL));
            md.put(SdGguf.TOKENS, GgufValue.array(GgufValue.Type.STRING, vocab));
            md.put(SdGguf.MERGES, GgufValue.array(GgufValue.Type.STRING, tokenizer.merges()));
            md.put(SdGguf.BOS, GgufValue.u32(RobertaTokenizer.BOS));
            md.put(SdGguf.EOS, GgufValue.u32(RobertaTokenizer.EOS));
            md.put(SdGguf.PAD, GgufValue.u32(RobertaTokenizer.PAD));
        }
        return md;
    }

    /** The RoBERTa tokenizer a converted file carries, or empty when it has none (or is not a converted AudioLDM file). */
    public static Optional<RobertaTokenizer> tokenizer(WeightSource src) {
        if (!isConverted(src) || src.metadata().get(SdGguf.TOKENIZER_MODEL) == null) return Optional.empty();
        String where = src.description(), model = src.metadata().get(SdGguf.TOKENIZER_MODEL);
        if (!TOKENIZER_MODEL.equals(model))
            throw new SynesthesiaException(where + ": " + SdGguf.TOKENIZER_MODEL + " is " + model + ", expected " + TOKENIZER_MODEL);
        return Optional.of(RobertaTokenizer.fromLists(SdGguf.strings(src, SdGguf.TOKENS), SdGguf.strings(src, SdGguf.MERGES), where));
    }

    /** Writes {@link #metadata}. */
    public static void write(GgufWriter w, Map<String, GgufValue> metadata) {
        metadata.forEach(w::put);
    }

    /** The model in converted file {@code src} (closed with it); the CLAP branch from {@code clap} when given, else the file's. */
    static AudioLdm load(WeightSource src, java.nio.file.Path clap) {
        String where = src.description();
        Map<String, String> md = src.metadata();
        float scale;
        try {
            scale = Float.parseFloat(required(md, SCALE_FACTOR, where));
        } catch (NumberFormatException e) {
            throw new SynesthesiaException(where + ": " + SCALE_FACTOR + " is not a number");
        }
        if (!(scale > 0)) throw new SynesthesiaException(where + ": " + SCALE_FACTOR + " must be positive");
        UNetConfig uc = UNetConfig.fromJson(json(md, UNET, where));
        UNet2DConditionModel unet = new UNet2DConditionModel(uc, UNet2DConditionModel.weights(new PrefixedSource(src, UNET_PREFIX), uc.layersPerBlock()));
        AutoencoderKL vae = AutoencoderKL.load(new PrefixedSource(src, VAE_PREFIX), VaeConfig.fromMap(json(md, VAE, where), where + " (vae config)"), false);
        HifiGan gan = HifiGan.load(new PrefixedSource(src, VOCODER_PREFIX), HifiGanConfig.fromMap(json(md, VOCODER, where), where + " (vocoder config)"), false);
        ClapTextModel text = null;
        if (clap != null) text = ClapTextModel.load(clap, null);
        else if (md.containsKey(TEXT_ENCODER))
            text = ClapTextModel.bind(ClapNames.of(new PrefixedSource(src, TEXT_ENCODER_PREFIX)),
                    ClapTextConfig.fromMap(json(md, TEXT_ENCODER, where), where + " (text encoder config)"));
        return AudioLdm.of(src, text, unet, vae, gan, scale);
    }

    private static String required(Map<String, String> md, String key, String where) {
        String v = md.get(key);
        if (v == null) throw new SynesthesiaException(where + ": no " + key + " metadata");
        return v;
    }

    private static Map<String, Object> json(Map<String, String> md, String key, String where) {
        try {
            return Json.parseObject(required(md, key, where));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(where + ": " + key + " is not a JSON object (" + e.getMessage() + ")");
        }
    }
}
