package org.synesthesia.whisper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.audio.MelFilters;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.text.BpeFiles;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The Whisper metadata of a converted GGUF file ({@code weights-converter/FORMAT.md}): the ten
 * {@code whisper.n_*} dimensions, the {@code [n_mels, 201]} mel filterbank {@code whisper.mel_filters}, and the
 * tokenizer's BPE ranks ({@code tokenizer.ggml.tokens}, base64 of each rank's bytes, as a tiktoken file's first
 * column) with {@code whisper.tokenizer.multilingual} and {@code whisper.tokenizer.num_languages}; the special
 * tokens follow the ranks in openai's layout.
 */
public final class WhisperGguf {
    static final String MEL_FILTERS = "whisper.mel_filters";
    static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String MULTILINGUAL = "whisper.tokenizer.multilingual";
    static final String NUM_LANGUAGES = "whisper.tokenizer.num_languages";
    /** Bins of a Whisper mel filter: n_fft 400 / 2 + 1. */
    static final int FILTER_BINS = 201;

    private WhisperGguf() {}

    /**
     * What a converted file carries besides the weights.
     *
     * @param ranks        BPE ranks' bytes in rank order (no special tokens)
     * @param melFilters   {@code [n_mels, 201]} row-major
     */
    public record Bundle(WhisperConfig config, List<byte[]> ranks, boolean multilingual, int numLanguages, float[] melFilters) {}

    /**
     * From a user's input: config (metadata dims / HF config.json / ggml header / shapes, as {@link Whisper#load}
     * does), tokenizer ranks and mel filters. Ranks: from the {@code tokenizerDir} tiktoken file when given, else
     * a whisper.cpp ggml file's embedded vocabulary, else a converted file's own, else a Hugging Face folder's
     * {@code vocab.json} (byte-level BPE: the ids below {@code <|endoftext|>} are the ranks), else a tiktoken file
     * beside the input or in {@code $SYNESTHESIA_TOKENIZERS}. Mel filters: the ggml file's or converted file's,
     * else {@link MelFilters#whisper}. No tokenizer found is a one-line error asking for {@code --tokenizer DIR}.
     */
    public static Bundle fromInput(Path input, WeightSource source, Path tokenizerDir) {
        if (!WhisperNames.isWhisper(source.names()))
            throw new SynesthesiaException(source.description() + ": not a Whisper checkpoint (no encoder.conv1.weight and decoder.token_embedding.weight, in openai or Hugging Face names)");
        Path folder = Files.isDirectory(input) ? input : input.toAbsolutePath().getParent();
        WhisperConfig config = Whisper.readConfig(WhisperNames.of(source), folder);
        boolean multi = config.nVocab() >= WhisperConfig.VOCAB_MULTILINGUAL;
        int langs = config.nVocab() - 51765 - (multi ? 1 : 0);
        if (langs < 1 || langs > WhisperLanguages.CODES.size())
            throw new SynesthesiaException(source.description() + ": a model with n_vocab " + config.nVocab() + " has no Whisper tokenizer layout (expected 51864, 51865 or 51866)");
        int nRanks = config.nVocab() - WhisperTokenizer.specialTokens(langs).size();
        List<byte[]> ranks = ranks(input, source, tokenizerDir, folder, multi, nRanks);
        if (ranks.size() != nRanks)
            throw new SynesthesiaException(source.description() + ": the tokenizer has " + ranks.size() + " ranks, but n_vocab " + config.nVocab()
                    + " leaves room for " + nRanks + " before the special tokens; give --tokenizer DIR");
        float[] filters = filters(source, config.nMels());
        return new Bundle(config, ranks, multi, langs, filters);
    }

    private static List<byte[]> ranks(Path input, WeightSource source, Path tokenizerDir, Path folder, boolean multi, int nRanks) {
        String name = multi ? "multilingual.tiktoken" : "gpt2.tiktoken";
        if (tokenizerDir != null) return List.of(Tiktoken.readRanks(WhisperTokenizers.dir(tokenizerDir, input, multi, "convert").resolve(name)));
        if (source instanceof WhisperGgml g && !g.vocabulary().isEmpty()) {
            List<byte[]> v = g.vocabulary();
            // whisper.cpp writes the tiktoken ranks; some writers add the special tokens after them
            return v.size() > nRanks ? v.subList(0, nRanks) : v;
        }
        Optional<WhisperTokenizer> own = tokenizer(source);
        if (own.isPresent()) {
            Tiktoken t = own.get().encoding();
            List<byte[]> r = new ArrayList<>(t.nRanks());
            for (int i = 0; i < t.nRanks(); i++) r.add(t.tokenBytes(i));
            return r;
        }
        if (folder != null && Files.isRegularFile(folder.resolve("vocab.json"))) return huggingFaceVocab(folder.resolve("vocab.json"));
        return List.of(Tiktoken.readRanks(WhisperTokenizers.dir(null, input, multi, "convert").resolve(name)));
    }

    /** A Hugging Face byte-level BPE {@code vocab.json}: token text (GPT-2 byte characters) to id; ids below eot are ranks. */
    static List<byte[]> huggingFaceVocab(Path file) {
        Map<String, Integer> vocab = BpeFiles.readVocab(file);
        Integer eot = vocab.get("<|endoftext|>");
        if (eot == null || eot <= 0 || eot > vocab.size()) throw SynesthesiaException.inFile(file, "no <|endoftext|> token id");
        byte[][] ranks = new byte[eot][];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int i = e.getValue();
            if (i < 0 || i >= eot) continue;
            byte[] b = ByteLevel.bytes(e.getKey());
            if (b == null) throw SynesthesiaException.inFile(file, "token id " + i + " is not byte-level BPE text");
            if (ranks[i] != null) throw SynesthesiaException.inFile(file, "two tokens have id " + i);
            ranks[i] = b;
        }
        for (int i = 0; i < eot; i++) if (ranks[i] == null) throw SynesthesiaException.inFile(file, "no token has id " + i);
        return List.of(ranks);
    }

    private static float[] filters(WeightSource source, int nMels) {
        if (source instanceof WhisperGgml g && g.melFilters().elements() > 0) {
            if (g.melFilters().shape()[0] != nMels || g.melFilters().shape()[1] != FILTER_BINS)
                throw new SynesthesiaException(source.description() + ": mel filters " + g.melFilters().shapeString() + " do not match n_mels " + nMels + " x " + FILTER_BINS);
            return g.melFilters().toFloats();
        }
        return melFilters(source).orElseGet(() -> MelFilters.whisper(nMels).toArray());
    }

    /** The keys of FORMAT.md's Whisper table (not {@code general.*}, which the converter writes). */
    public static void write(GgufWriter w, Bundle b) {
        WhisperConfig c = b.config();
        int[] v = c.values();
        for (int i = 0; i < WhisperConfig.KEYS.length; i++) w.put("whisper." + WhisperConfig.KEYS[i], GgufValue.u32(v[i]));
        if (b.melFilters().length != c.nMels() * FILTER_BINS)
            throw new IllegalArgumentException("mel filters: " + b.melFilters().length + " values, expected " + c.nMels() + " x " + FILTER_BINS);
        List<Float> f = new ArrayList<>(b.melFilters().length);
        for (float x : b.melFilters()) f.add(x);
        w.put(MEL_FILTERS, GgufValue.array(GgufValue.Type.FLOAT32, f));
        w.put(TOKENIZER_MODEL, "tiktoken");
        Base64.Encoder enc = Base64.getEncoder();
        List<String> tokens = new ArrayList<>(b.ranks().size());
        for (byte[] r : b.ranks()) tokens.add(enc.encodeToString(r));
        w.put(TOKENS, GgufValue.array(GgufValue.Type.STRING, tokens));
        w.put(MULTILINGUAL, GgufValue.bool(b.multilingual()));
        w.put(NUM_LANGUAGES, GgufValue.u32(b.numLanguages()));
    }

    /** The tokenizer stored in a converted file's metadata, or empty when it has none. Bad entries: one-line error. */
    public static Optional<WhisperTokenizer> tokenizer(WeightSource source) {
        if (!"tiktoken".equals(source.metadata().get(TOKENIZER_MODEL))) return Optional.empty();
        List<?> tokens = array(source, TOKENS);
        String multi = source.metadata().get(MULTILINGUAL);
        String langs = source.metadata().get(NUM_LANGUAGES);
        if (tokens == null || multi == null || langs == null)
            throw new SynesthesiaException(source.description() + ": tiktoken tokenizer metadata needs " + TOKENS + ", " + MULTILINGUAL + " and " + NUM_LANGUAGES);
        Base64.Decoder dec = Base64.getDecoder();
        byte[][] ranks = new byte[tokens.size()][];
        for (int i = 0; i < ranks.length; i++) {
            try {
                ranks[i] = dec.decode((String) tokens.get(i));
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new SynesthesiaException(source.description() + ": " + TOKENS + " entry " + i + " is not base64");
            }
        }
        try {
            boolean m = Boolean.parseBoolean(multi);
            return Optional.of(new WhisperTokenizer(m ? "multilingual.tiktoken" : "gpt2.tiktoken", ranks, m, Integer.parseInt(langs)));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(source.description() + ": bad tokenizer metadata (" + e.getMessage() + ")");
        }
    }

    /** The mel filterbank {@code [n_mels, 201]} stored in a converted file's metadata, or empty. */
    public static Optional<float[]> melFilters(WeightSource source) {
        List<?> f = array(source, MEL_FILTERS);
        if (f == null) return Optional.empty();
        String mels = source.metadata().get("whisper.n_mels");
        float[] out = new float[f.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(f.get(i) instanceof Number n)) throw new SynesthesiaException(source.description() + ": " + MEL_FILTERS + " is not a float array");
            out[i] = n.floatValue();
        }
        if (mels == null || out.length != Long.parseLong(mels) * FILTER_BINS)
            throw new SynesthesiaException(source.description() + ": " + MEL_FILTERS + " has " + out.length + " values, expected whisper.n_mels (" + mels + ") x " + FILTER_BINS);
        return Optional.of(out);
    }

    /** An array value: typed from a GGUF file, else parsed from the metadata's JSON text. */
    private static List<?> array(WeightSource source, String key) {
        if (source instanceof Gguf g) {
            GgufValue v = g.values().get(key);
            if (v == null) return null;
            if (v.type() != GgufValue.Type.ARRAY) throw new SynesthesiaException(source.description() + ": " + key + " is not an array");
            return (List<?>) v.value();
        }
        String text = source.metadata().get(key);
        if (text == null) return null;
        try {
            if (Json.parse(text) instanceof List<?> l) return l;
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new SynesthesiaException(source.description() + ": " + key + " is not an array");
    }
}
