package org.synesthesia.diffusion;

import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.SchedulerConfig;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.unet.UNetNames;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.diffusion.vae.VaeNames;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.clip.ClipNames;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The Stable Diffusion metadata of a converted GGUF file ({@code weights-converter/FORMAT.md}): the diffusers
 * configs of the UNet, VAE, text encoder and scheduler as JSON strings, the text encoder's clip skip, and the CLIP
 * tokenizer ({@code tokenizer.ggml.tokens} by id, {@code tokenizer.ggml.merges} in rank order, bos/eos/pad ids).
 */
public final class SdGguf {
    public static final String ARCHITECTURE = "stable-diffusion";
    public static final String UNET = UNetConfig.GGUF_KEY, VAE = VaeConfig.GGUF_KEY,
            TEXT_ENCODER = "stable-diffusion.text_encoder.config", SCHEDULER = "stable-diffusion.scheduler.config",
            CLIP_SKIP = "stable-diffusion.clip_skip";
    /** Where a converted file holds each component's tensors: this prefix + the component's canonical names. */
    public static final String UNET_PREFIX = "unet/", VAE_PREFIX = "vae/", TEXT_ENCODER_PREFIX = "text_encoder/";
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model", TOKENS = "tokenizer.ggml.tokens",
            MERGES = "tokenizer.ggml.merges", BOS = "tokenizer.ggml.bos_token_id", EOS = "tokenizer.ggml.eos_token_id",
            PAD = "tokenizer.ggml.padding_token_id";

    private SdGguf() {}

    /**
     * What a converted file carries besides the weights: the four configs as parsed JSON objects (diffusers /
     * transformers keys), the CLIP vocabulary by id and merges in rank order, the pad id and the clip skip. A file
     * of some components only (a lone UNet, VAE or text encoder) has null for the others: the scheduler goes with
     * the UNet, the tokenizer with the text encoder.
     */
    public record Bundle(Map<String, Object> unetConfig, Map<String, Object> vaeConfig, Map<String, Object> textEncoderConfig,
                         Map<String, Object> schedulerConfig, List<String> vocab, List<String> merges, int padId, int clipSkip) {
        /** The tokenizer these lists make. */
        public ClipTokenizer tokenizer() {
            return ClipTokenizer.fromLists(vocab, merges, padId);
        }

        /** Whether it has everything a text-to-image pipeline needs. */
        public boolean complete() {
            return unetConfig != null && vaeConfig != null && textEncoderConfig != null && schedulerConfig != null && vocab != null;
        }

        /** The components present, e.g. "unet, vae". */
        public String components() {
            List<String> c = new ArrayList<>();
            if (unetConfig != null) c.add("unet");
            if (vaeConfig != null) c.add("vae");
            if (textEncoderConfig != null) c.add("text encoder");
            return String.join(", ", c);
        }
    }

    /**
     * From a user's input: a diffusers folder (its unet/vae/text_encoder {@code config.json},
     * {@code scheduler/scheduler_config.json}, {@code tokenizer/}), a converted file (its own metadata), or a
     * single-file LDM checkpoint (configs inferred from the tensor shapes as {@link StableDiffusionPipeline#load}
     * does, a UNet {@code config.json} beside it taking precedence; scheduler = the SD schedule as diffusers'
     * PNDMScheduler with {@code predictionOrNull}, default epsilon; tokenizer by
     * {@link StableDiffusionPipeline#loadTokenizer}'s rules; a 24-layer OpenCLIP text model (SD 2.x) gets clip skip 1
     * and pad id 0). {@code tokenizerOverride} replaces the tokenizer; {@code predictionOrNull} (when given) the
     * scheduler's prediction type.
     */
    public static Bundle fromInput(Path input, WeightSource source, Path tokenizerOverride, PredictionType predictionOrNull) {
        Bundle b;
        if (Files.isDirectory(input)) b = fromFolder(input, tokenizerOverride);
        else if (isConverted(source)) b = read(source).orElseThrow();
        else b = fromSingleFile(input, source, tokenizerOverride, predictionOrNull);
        if (tokenizerOverride != null && !Files.isDirectory(input) && isConverted(source)) {
            ClipTokenizer t = StableDiffusionPipeline.openTokenizer(tokenizerOverride);
            b = new Bundle(b.unetConfig(), b.vaeConfig(), b.textEncoderConfig(), b.schedulerConfig(), t.vocabulary(), t.merges(), b.padId(), b.clipSkip());
        }
        if (predictionOrNull != null && b.schedulerConfig() != null) {
            Map<String, Object> s = new LinkedHashMap<>(b.schedulerConfig());
            s.put("prediction_type", predictionOrNull.configName());
            b = new Bundle(b.unetConfig(), b.vaeConfig(), b.textEncoderConfig(), s, b.vocab(), b.merges(), b.padId(), b.clipSkip());
        }
        check(b, input.toString());
        return b;
    }

    private static Bundle fromFolder(Path dir, Path tokenizerOverride) {
        if (!Files.isRegularFile(dir.resolve("model_index.json")))
            throw SynesthesiaException.inFile(dir, "not a diffusers pipeline folder (no model_index.json)");
        Map<String, Object> unet = json(dir.resolve("unet").resolve("config.json"));
        Map<String, Object> vae = json(dir.resolve("vae").resolve("config.json"));
        Map<String, Object> te = json(dir.resolve("text_encoder").resolve("config.json"));
        Map<String, Object> sched = json(dir.resolve("scheduler").resolve("scheduler_config.json"));
        ClipTokenizer tok = StableDiffusionPipeline.loadTokenizer(dir, tokenizerOverride, "sd15");
        return new Bundle(unet, vae, te, sched, tok.vocabulary(), tok.merges(), tok.padId(), 0);
    }

    /**
     * A single file: the components it holds (a whole SD checkpoint, or a lone UNet, VAE or text encoder), each
     * config inferred from the shapes; a UNet brings the SD scheduler, a text encoder its tokenizer.
     */
    private static Bundle fromSingleFile(Path file, WeightSource source, Path tokenizerOverride, PredictionType prediction) {
        var names = source.names();
        Path dir = file.toAbsolutePath().getParent();
        Map<String, Object> unetMap = null, vaeMap = null, teMap = null, schedMap = null;
        List<String> vocab = null, merges = null;
        int pad = ClipTokenizer.END_OF_TEXT, skip = 0;
        if (holdsUNet(names)) {
            UNetConfig unet = null;
            Path cfgFile = dir == null ? null : dir.resolve("config.json");
            if (cfgFile != null) unet = UNetConfig.readIfPresent(cfgFile);
            if (unet == null) unet = UNetConfig.inferFrom(UNet2DConditionModel.weights(source, -1));
            unetMap = unet.toMap();
            schedMap = SchedulerConfig.stableDiffusion(prediction == null ? PredictionType.EPSILON : prediction).toMap("PNDMScheduler");
        }
        NameMapping vaeNames = VaeNames.mapping(names);
        if (!vaeNames.canonicalToStored().isEmpty()) vaeMap = VaeConfig.infer(Weights.of("VAE", source, vaeNames)).toMap();
        if (ClipNames.isClipText(names)) {
            ClipTextConfig te = ClipTextConfig.infer(ClipNames.of(source));
            // An SD 2.x single file holds the full 24-layer OpenCLIP text model: SD 2.x uses its penultimate layer and
            // OpenCLIP's tokenizer pads with 0 (as StableDiffusionPipeline.load)
            boolean openClip24 = te.hiddenSize() == 1024 && te.numLayers() == 24;
            teMap = te.toMap();
            ClipTokenizer tok = StableDiffusionPipeline.loadTokenizer(file, tokenizerOverride, openClip24 ? "sd21" : "sd15");
            vocab = tok.vocabulary();
            merges = tok.merges();
            pad = openClip24 ? ClipTokenizer.PAD_ZERO : tok.padId();
            skip = openClip24 ? 1 : 0;
        }
        if (unetMap == null && vaeMap == null && teMap == null)
            throw SynesthesiaException.inFile(file, "holds no Stable Diffusion component (no UNet, AutoencoderKL or CLIP text encoder tensors)");
        return new Bundle(unetMap, vaeMap, teMap, schedMap, vocab, merges, pad, skip);
    }

    /** Whether the names hold a UNet, an AutoencoderKL or a CLIP text encoder (in any layout this engine reads). */
    public static boolean holdsComponent(java.util.Collection<String> names) {
        return holdsUNet(names) || VaeNames.prefix(names) != null || ClipNames.isClipText(names);
    }

    private static boolean holdsUNet(java.util.Collection<String> names) {
        return UNetNames.isDiffusers(names, "") || UNetNames.isDiffusers(names, "unet/") || UNetNames.isLdm(names);
    }

    /** Every config parses as the engine reads it; errors name {@code where}. */
    private static void check(Bundle b, String where) {
        try {
            if (b.unetConfig() != null) UNetConfig.fromJson(b.unetConfig());
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new SynesthesiaException(where + ": " + e.getMessage());
        }
        if (b.vaeConfig() != null) VaeConfig.fromMap(b.vaeConfig(), where + " (vae config)");
        if (b.textEncoderConfig() != null) ClipTextConfig.fromMap(b.textEncoderConfig(), where + " (text encoder config)");
        if (b.schedulerConfig() != null) SchedulerConfig.fromMap(b.schedulerConfig(), where + " (scheduler config)");
        if (b.clipSkip() < 0) throw new SynesthesiaException(where + ": clip skip " + b.clipSkip() + " is negative");
    }

    private static Map<String, Object> json(Path file) {
        try {
            return Json.parseObject(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw SynesthesiaException.inFile(file, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(file, "not a JSON object: " + e.getMessage());
        }
    }

    /** The keys of FORMAT.md's Stable Diffusion table (not {@code general.*}, which the converter writes). */
    public static void write(GgufWriter w, Bundle b) {
        if (b.unetConfig() != null) w.put(UNET, Json.write(b.unetConfig()));
        if (b.vaeConfig() != null) w.put(VAE, Json.write(b.vaeConfig()));
        if (b.textEncoderConfig() != null) w.put(TEXT_ENCODER, Json.write(b.textEncoderConfig()));
        if (b.schedulerConfig() != null) w.put(SCHEDULER, Json.write(b.schedulerConfig()));
        if (b.textEncoderConfig() != null) w.put(CLIP_SKIP, GgufValue.u32(b.clipSkip()));
        if (b.vocab() == null) return;
        w.put(TOKENIZER_MODEL, "clip");
        List<String> vocab = new ArrayList<>(b.vocab().size());
        for (int i = 0; i < b.vocab().size(); i++) {
            String t = b.vocab().get(i);
            if (t == null) throw new IllegalArgumentException("CLIP vocabulary: id " + i + " has no token");
            vocab.add(t);
        }
        w.put(TOKENS, GgufValue.array(GgufValue.Type.STRING, vocab));
        w.put(MERGES, GgufValue.array(GgufValue.Type.STRING, b.merges()));
        w.put(BOS, GgufValue.u32(ClipTokenizer.START_OF_TEXT));
        w.put(EOS, GgufValue.u32(ClipTokenizer.END_OF_TEXT));
        w.put(PAD, GgufValue.u32(b.padId()));
    }

    /** Whether {@code source} is a converted Stable Diffusion file ({@code general.architecture = stable-diffusion}). */
    public static boolean isConverted(WeightSource source) {
        return ARCHITECTURE.equals(source.metadata().get("general.architecture"));
    }

    /** The bundle stored in a converted file, or empty when {@code source} is not one. Missing or bad keys: one-line errors. */
    public static Optional<Bundle> read(WeightSource source) {
        if (!isConverted(source)) return Optional.empty();
        String where = source.description();
        Map<String, String> md = source.metadata();
        Map<String, Object> unet = jsonKey(md, UNET, where), vae = jsonKey(md, VAE, where), te = jsonKey(md, TEXT_ENCODER, where),
                sched = jsonKey(md, SCHEDULER, where);
        if (unet == null && vae == null && te == null) throw new SynesthesiaException(where + ": no " + UNET + ", " + VAE + " or " + TEXT_ENCODER + " metadata");
        if (unet != null && sched == null) throw new SynesthesiaException(where + ": no " + SCHEDULER + " metadata");
        List<String> vocab = null, merges = null;
        int pad = ClipTokenizer.END_OF_TEXT, skip = 0;
        if (te != null) {
            if (!"clip".equals(md.get(TOKENIZER_MODEL))) throw new SynesthesiaException(where + ": " + TOKENIZER_MODEL + " is " + md.get(TOKENIZER_MODEL) + ", expected clip");
            vocab = strings(source, TOKENS);
            merges = strings(source, MERGES);
            pad = intKey(md, PAD, where);
            skip = intKey(md, CLIP_SKIP, where);
        }
        Bundle b = new Bundle(unet, vae, te, sched, vocab, merges, pad, skip);
        check(b, where);
        return Optional.of(b);
    }

    /** The JSON object under {@code key}, or null when there is none. */
    private static Map<String, Object> jsonKey(Map<String, String> md, String key, String where) {
        String v = md.get(key);
        if (v == null) return null;
        try {
            return Json.parseObject(v);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(where + ": " + key + " is not a JSON object (" + e.getMessage() + ")");
        }
    }

    private static int intKey(Map<String, String> md, String key, String where) {
        String v = md.get(key);
        if (v == null) throw new SynesthesiaException(where + ": no " + key + " metadata");
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new SynesthesiaException(where + ": " + key + " is " + v + ", not an integer");
        }
    }

    /** The string array under {@code key} (a GGUF array, or a JSON list in other formats' metadata); missing or malformed: one line. */
    public static List<String> strings(WeightSource source, String key) {
        List<?> l = null;
        if (source instanceof Gguf g) {
            GgufValue v = g.values().get(key);
            if (v != null && v.type() == GgufValue.Type.ARRAY && v.elementType() == GgufValue.Type.STRING) l = (List<?>) v.value();
            else if (v != null) throw new SynesthesiaException(source.description() + ": " + key + " is not a string array");
        } else if (source.metadata().get(key) != null) {
            try {
                if (Json.parse(source.metadata().get(key)) instanceof List<?> x) l = x;
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
            if (l == null) throw new SynesthesiaException(source.description() + ": " + key + " is not a string array");
        }
        if (l == null) throw new SynesthesiaException(source.description() + ": no " + key + " metadata");
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String s)) throw new SynesthesiaException(source.description() + ": " + key + " is not a string array");
            out.add(s);
        }
        return out;
    }
}
