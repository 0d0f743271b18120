package org.synesthesia.whisper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Whisper's model dimensions, openai's {@code ModelDimensions}: the audio encoder (mel bins, positions, width,
 * heads, layers) and the text decoder (vocabulary, positions, width, heads, layers).
 */
public record WhisperConfig(int nMels, int nAudioCtx, int nAudioState, int nAudioHead, int nAudioLayer,
                            int nVocab, int nTextCtx, int nTextState, int nTextHead, int nTextLayer) {

    /** Multilingual vocabulary (tiny ... large-v2), English-only vocabulary ({@code .en}), large-v3 vocabulary. */
    public static final int VOCAB_MULTILINGUAL = 51865, VOCAB_EN = 51864, VOCAB_V3 = 51866;

    public static final WhisperConfig TINY = official(80, 384, 6, 4, 4, VOCAB_MULTILINGUAL);
    public static final WhisperConfig TINY_EN = official(80, 384, 6, 4, 4, VOCAB_EN);
    public static final WhisperConfig BASE = official(80, 512, 8, 6, 6, VOCAB_MULTILINGUAL);
    public static final WhisperConfig BASE_EN = official(80, 512, 8, 6, 6, VOCAB_EN);
    public static final WhisperConfig SMALL = official(80, 768, 12, 12, 12, VOCAB_MULTILINGUAL);
    public static final WhisperConfig SMALL_EN = official(80, 768, 12, 12, 12, VOCAB_EN);
    public static final WhisperConfig MEDIUM = official(80, 1024, 16, 24, 24, VOCAB_MULTILINGUAL);
    public static final WhisperConfig MEDIUM_EN = official(80, 1024, 16, 24, 24, VOCAB_EN);
    public static final WhisperConfig LARGE_V1 = official(80, 1280, 20, 32, 32, VOCAB_MULTILINGUAL);
    public static final WhisperConfig LARGE_V2 = LARGE_V1;
    public static final WhisperConfig LARGE_V3 = official(128, 1280, 20, 32, 32, VOCAB_V3);
    /** large-v3-turbo: the large-v3 encoder with a 4-layer decoder. */
    public static final WhisperConfig TURBO = official(128, 1280, 20, 32, 4, VOCAB_V3);

    /** Official sizes by openai's names (as {@code whisper.load_model} takes them). */
    public static final Map<String, WhisperConfig> OFFICIAL;

    static {
        Map<String, WhisperConfig> m = new LinkedHashMap<>();
        m.put("tiny", TINY);
        m.put("tiny.en", TINY_EN);
        m.put("base", BASE);
        m.put("base.en", BASE_EN);
        m.put("small", SMALL);
        m.put("small.en", SMALL_EN);
        m.put("medium", MEDIUM);
        m.put("medium.en", MEDIUM_EN);
        m.put("large-v1", LARGE_V1);
        m.put("large-v2", LARGE_V2);
        m.put("large-v3", LARGE_V3);
        m.put("large", LARGE_V3);
        m.put("large-v3-turbo", TURBO);
        m.put("turbo", TURBO);
        OFFICIAL = java.util.Collections.unmodifiableMap(m);
    }

    /** Upper bound on every dimension (far above any released model's: 51866 tokens, 1500 frames, width 1280). */
    static final int MAX_DIM = 1 << 20;

    /** The ten dimension names in openai's spelling, in {@code ModelDimensions} order. */
    static final String[] KEYS = {"n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
            "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer"};

    public WhisperConfig {
        int[] v = {nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState, nTextHead, nTextLayer};
        for (int i = 0; i < v.length; i++)
            if (v[i] <= 0 || v[i] > MAX_DIM) throw new IllegalArgumentException("whisper dimension " + KEYS[i] + " must be in 1.." + MAX_DIM + ", got " + v[i]);
        if (nAudioState % nAudioHead != 0) throw new IllegalArgumentException("n_audio_state " + nAudioState + " is not a multiple of n_audio_head " + nAudioHead);
        if (nTextState % nTextHead != 0) throw new IllegalArgumentException("n_text_state " + nTextState + " is not a multiple of n_text_head " + nTextHead);
        if (nAudioState != nTextState) throw new IllegalArgumentException("n_audio_state " + nAudioState + " differs from n_text_state " + nTextState + " (cross-attention needs them equal)");
    }

    private static WhisperConfig official(int mels, int state, int heads, int audioLayers, int textLayers, int vocab) {
        return new WhisperConfig(mels, 1500, state, heads, audioLayers, vocab, 448, state, heads, textLayers);
    }

    /** Whether the vocabulary is the multilingual one (everything but the {@code .en} models). */
    public boolean isMultilingual() {
        return nVocab >= VOCAB_MULTILINGUAL;
    }

    /**
     * The official name of these dimensions ({@code base.en}, {@code large-v3-turbo}...), if they are an official
     * size. large-v1 and large-v2 share their dimensions and are reported as {@code large-v2}.
     */
    public Optional<String> officialName() {
        if (equals(LARGE_V1)) return Optional.of("large-v2");
        if (equals(LARGE_V3)) return Optional.of("large-v3");
        for (Map.Entry<String, WhisperConfig> e : OFFICIAL.entrySet()) if (e.getValue().equals(this)) return Optional.of(e.getKey());
        return Optional.empty();
    }

    /** openai's {@code ModelDimensions} as a JSON object string (what {@code dims} metadata holds). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        int[] v = values();
        for (int i = 0; i < KEYS.length; i++) m.put(KEYS[i], (long) v[i]);
        return Json.write(m);
    }

    int[] values() {
        return new int[] {nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nVocab, nTextCtx, nTextState, nTextHead, nTextLayer};
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "whisper %s(mels %d, audio %dx%d, %d heads, %d layers; text vocab %d, ctx %d, %d heads, %d layers)",
                officialName().map(n -> n + " ").orElse(""), nMels, nAudioCtx, nAudioState, nAudioHead, nAudioLayer,
                nVocab, nTextCtx, nTextHead, nTextLayer);
    }

    // ---- reading ----

    /** From openai's dimension names ({@code n_mels} ...), as in a checkpoint's {@code dims}. */
    public static WhisperConfig fromDims(Map<String, ?> dims) {
        int[] v = new int[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            Object o = dims.get(KEYS[i]);
            if (o == null) throw new IllegalArgumentException("dims has no " + KEYS[i]);
            v[i] = toInt(KEYS[i], o);
        }
        return new WhisperConfig(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    /** From a JSON object string of openai's dimension names. */
    public static WhisperConfig fromDimsJson(String json) {
        return fromDims(Json.parseObject(json));
    }

    /**
     * From a Hugging Face transformers {@code config.json} ({@code WhisperConfig}): d_model, encoder_layers,
     * encoder_attention_heads, decoder_layers, decoder_attention_heads, num_mel_bins, vocab_size,
     * max_source_positions, max_target_positions.
     */
    public static WhisperConfig fromHuggingFace(Map<String, ?> c) {
        Object type = c.get("model_type");
        if (type != null && !"whisper".equals(type)) throw new IllegalArgumentException("model_type is '" + type + "', not whisper");
        int d = toInt("d_model", req(c, "d_model"));
        // the dims names in the constructor's messages are openai's; name transformers' keys for the width splits
        for (String heads : new String[] {"encoder_attention_heads", "decoder_attention_heads"}) {
            int h = toInt(heads, req(c, heads));
            if (h <= 0 || d <= 0 || d % h != 0) throw new IllegalArgumentException("d_model " + d + " does not split into " + heads + " " + h);
        }
        return new WhisperConfig(
                toInt("num_mel_bins", req(c, "num_mel_bins")),
                toInt("max_source_positions", req(c, "max_source_positions")),
                d,
                toInt("encoder_attention_heads", req(c, "encoder_attention_heads")),
                toInt("encoder_layers", req(c, "encoder_layers")),
                toInt("vocab_size", req(c, "vocab_size")),
                toInt("max_target_positions", req(c, "max_target_positions")),
                d,
                toInt("decoder_attention_heads", req(c, "decoder_attention_heads")),
                toInt("decoder_layers", req(c, "decoder_layers")));
    }

    private static Object req(Map<String, ?> c, String key) {
        Object o = c.get(key);
        if (o == null) throw new IllegalArgumentException("config has no " + key);
        return o;
    }

    private static int toInt(String key, Object o) {
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) return n.intValue();
        if (o instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException(key + " is not an integer: " + o);
    }

    /**
     * The dimensions stored with a checkpoint's tensors: metadata {@code dims} (a JSON object string: the
     * safetensors {@code __metadata__} of openai-style exports, the {@code dims} of an openai {@code .pt}), else
     * the ten openai keys as separate metadata entries, possibly prefixed ({@code whisper.n_vocab}: ggml headers).
     */
    public static Optional<WhisperConfig> fromMetadata(WeightSource source) {
        Map<String, String> meta = source.metadata();
        String dims = meta.get("dims");
        if (dims != null) {
            try {
                return Optional.of(fromDimsJson(dims));
            } catch (IllegalArgumentException e) {
                throw new SynesthesiaException(source.description() + ": bad whisper dims metadata (" + e.getMessage() + ")");
            }
        }
        Map<String, String> found = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String k = e.getKey();
            String last = k.substring(k.lastIndexOf('.') + 1);
            for (String key : KEYS) if (key.equals(last)) found.put(key, e.getValue());
        }
        if (found.size() < KEYS.length) return Optional.empty();
        try {
            return Optional.of(fromDims(found));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(source.description() + ": bad whisper dimensions in metadata (" + e.getMessage() + ")");
        }
    }

    /**
     * Last resort: dimensions from tensor shapes (by openai name, see {@link WhisperNames}). Shapes fix everything
     * but the head counts, which are taken as width / 64 (every official size has 64-wide heads).
     */
    public static WhisperConfig inferFromShapes(Weights w) {
        StoredTensor conv1 = w.get("encoder.conv1.weight");
        if (conv1.rank() != 3) throw new SynesthesiaException(conv1.source() + ": tensor " + conv1.name() + " has shape " + conv1.shapeString() + ", expected [n_audio_state, n_mels, 3]");
        int d = Math.toIntExact(conv1.shape()[0]);
        int mels = Math.toIntExact(conv1.shape()[1]);
        int audioCtx = w.shape("encoder.positional_embedding").map(s -> Math.toIntExact(s[0])).orElse(1500);
        StoredTensor tok = w.get("decoder.token_embedding.weight");
        StoredTensor pos = w.get("decoder.positional_embedding");
        int textState = Math.toIntExact(tok.shape()[tok.rank() - 1]);
        int heads = d % 64 == 0 ? d / 64 : 1;
        int textHeads = textState % 64 == 0 ? textState / 64 : 1;
        return new WhisperConfig(mels, audioCtx, d, heads, countBlocks(w.canonicalNames(), "encoder.blocks."),
                Math.toIntExact(tok.shape()[0]), Math.toIntExact(pos.shape()[0]), textState, textHeads,
                countBlocks(w.canonicalNames(), "decoder.blocks."));
    }

    private static int countBlocks(Collection<String> openai, String prefix) {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String n : openai) {
            if (!n.startsWith(prefix)) continue;
            int end = n.indexOf('.', prefix.length());
            if (end < 0) continue;
            try {
                ids.add(Integer.parseInt(n.substring(prefix.length(), end)));
            } catch (NumberFormatException ignored) {
                // not a block index
            }
        }
        return ids.isEmpty() ? 0 : ids.last() + 1;
    }
}
