package org.synesthesia.whisper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.util.SynesthesiaException;

/**
 * Whisper's tokenizer (openai/whisper {@code tokenizer.py}): a {@link Tiktoken} over {@code gpt2.tiktoken}
 * (English-only models) or {@code multilingual.tiktoken}, followed by the special tokens
 * {@code <|endoftext|>, <|startoftranscript|>, <|xx|> × numLanguages, <|translate|>, <|transcribe|>,
 * <|startoflm|>, <|startofprev|>, <|nospeech|>, <|notimestamps|>, <|0.00|> .. <|30.00|>} (1501 timestamps,
 * 0.02 s apart). Multilingual, 99 languages: eot 50257, sot 50258, en 50259, translate 50358, transcribe 50359,
 * notimestamps 50363, timestamp_begin 50364, n_vocab 51865. Immutable and thread-safe.
 */
public final class WhisperTokenizer {
    public enum Task {
        TRANSCRIBE, TRANSLATE;

        /** {@code "transcribe"} / {@code "translate"} (case-insensitive); anything else is a one-line error. */
        public static Task parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "transcribe" -> TRANSCRIBE;
                case "translate" -> TRANSLATE;
                default -> throw new SynesthesiaException("unknown task '" + s + "' (expected transcribe or translate)");
            };
        }
    }

    /** Number of timestamp tokens: {@code <|0.00|>} .. {@code <|30.00|>}. */
    public static final int TIMESTAMP_COUNT = 1501;
    /** Seconds per timestamp step. */
    public static final double TIME_PRECISION = 0.02;

    private final Tiktoken encoding;
    private final boolean multilingual;
    private final int numLanguages;
    private final int eot, sot, translate, transcribe, sotLm, sotPrev, noSpeech, noTimestamps, timestampBegin;
    private volatile int[] nonSpeech;

    /**
     * @param ranks        the mergeable ranks of {@code gpt2.tiktoken} or {@code multilingual.tiktoken}
     * @param multilingual whether language and task tokens go into the start-of-transcript sequence
     * @param numLanguages 99, or 100 for large-v3 / turbo
     */
    public WhisperTokenizer(String name, byte[][] ranks, boolean multilingual, int numLanguages) {
        if (numLanguages < 1 || numLanguages > WhisperLanguages.CODES.size())
            throw new IllegalArgumentException("numLanguages " + numLanguages + " not in [1, " + WhisperLanguages.CODES.size() + "]");
        this.multilingual = multilingual;
        this.numLanguages = numLanguages;
        this.encoding = new Tiktoken(name, ranks, specialTokens(numLanguages), ByteLevel.GPT2_PATTERN);
        int n = ranks.length;
        this.eot = n;
        this.sot = n + 1;
        this.translate = sot + numLanguages + 1;
        this.transcribe = translate + 1;
        this.sotLm = transcribe + 1;
        this.sotPrev = sotLm + 1;
        this.noSpeech = sotPrev + 1;
        this.noTimestamps = noSpeech + 1;
        this.timestampBegin = noTimestamps + 1;
        if (encoding.specialId("<|0.00|>") != timestampBegin || encoding.specialId("<|translate|>") != translate)
            throw new IllegalStateException("special token layout");
    }

    /** The special tokens' texts in id order (after the ranks). */
    static List<String> specialTokens(int numLanguages) {
        List<String> s = new ArrayList<>(numLanguages + 8 + TIMESTAMP_COUNT);
        s.add("<|endoftext|>");
        s.add("<|startoftranscript|>");
        for (int i = 0; i < numLanguages; i++) s.add("<|" + WhisperLanguages.CODES.get(i) + "|>");
        s.add("<|translate|>");
        s.add("<|transcribe|>");
        s.add("<|startoflm|>");
        s.add("<|startofprev|>");
        s.add("<|nospeech|>");
        s.add("<|notimestamps|>");
        for (int i = 0; i < TIMESTAMP_COUNT; i++) s.add(timestampText(i));
        return s;
    }

    /** {@code <|S.SS|>} for timestamp index {@code i} ({@code i * 0.02} s with two decimals). */
    static String timestampText(int i) {
        int centis = 2 * i;
        return String.format(Locale.ROOT, "<|%d.%02d|>", centis / 100, centis % 100);
    }

    /** Reads {@code tiktokenFile} and lays out Whisper's special tokens after its ranks. */
    public static WhisperTokenizer load(Path tiktokenFile, boolean multilingual, int numLanguages) {
        return new WhisperTokenizer(tiktokenFile.getFileName().toString(), Tiktoken.readRanks(tiktokenFile), multilingual, numLanguages);
    }

    /**
     * The tokenizer of a model with vocabulary size {@code nVocab}, as openai/whisper chooses it: multilingual iff
     * {@code nVocab >= 51865}, with {@code nVocab - 51765 - multilingual} languages; the ranks come from
     * {@code dir/multilingual.tiktoken} or {@code dir/gpt2.tiktoken}. 51864 (.en), 51865 and 51866 (large-v3,
     * turbo) are the sizes of released models; any size whose layout does not come out at {@code nVocab} is an error.
     */
    public static WhisperTokenizer forModel(Path dir, int nVocab) {
        boolean multi = nVocab >= 51865;
        int langs = nVocab - 51765 - (multi ? 1 : 0);
        Path file = dir.resolve(multi ? "multilingual.tiktoken" : "gpt2.tiktoken");
        if (langs < 1 || langs > WhisperLanguages.CODES.size())
            throw SynesthesiaException.inFile(file, "a model with n_vocab " + nVocab + " has no Whisper tokenizer layout (expected 51864, 51865 or 51866)");
        WhisperTokenizer t = load(file, multi, langs);
        if (t.nVocab() != nVocab)
            throw SynesthesiaException.inFile(file, t.encoding.nRanks() + " ranks + " + (t.nVocab() - t.encoding.nRanks())
                    + " special tokens = " + t.nVocab() + ", but the model has n_vocab " + nVocab);
        return t;
    }

    /**
     * The tokenizer of a model with vocabulary size {@code nVocab} from a vocabulary listed by id (whisper.cpp's ggml
     * header: each token's bytes, the tiktoken ranks first, then possibly special tokens): the first
     * {@code nVocab - specials} entries are the ranks, the special tokens laid out as {@link #forModel} does.
     * {@code source} names the file in errors.
     */
    public static WhisperTokenizer fromVocabulary(String source, java.util.List<byte[]> vocabulary, int nVocab) {
        boolean multi = nVocab >= 51865;
        int langs = nVocab - 51765 - (multi ? 1 : 0);
        if (langs < 1 || langs > WhisperLanguages.CODES.size())
            throw SynesthesiaException.inFile(source, "a model with n_vocab " + nVocab + " has no Whisper tokenizer layout (expected 51864, 51865 or 51866)");
        int nRanks = nVocab - specialTokens(langs).size();
        if (vocabulary.size() < nRanks)
            throw SynesthesiaException.inFile(source, "the vocabulary lists " + vocabulary.size() + " tokens, but n_vocab " + nVocab
                    + " needs " + nRanks + " ordinary tokens");
        byte[][] ranks = vocabulary.subList(0, nRanks).toArray(new byte[0][]);
        // a BPE needs every token once and every single byte: converters that wrote tokens as text replaced
        // incomplete UTF-8 by U+FFFD, which leaves duplicates and loses the lone high bytes
        java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        int duplicates = 0;
        for (byte[] r : ranks) if (!seen.add(java.nio.ByteBuffer.wrap(r))) duplicates++;
        int missingBytes = 0;
        for (int b = 0; b < 256; b++) if (!seen.contains(java.nio.ByteBuffer.wrap(new byte[] {(byte) b}))) missingBytes++;
        if (duplicates > 0 || missingBytes > 0)
            throw SynesthesiaException.inFile(source, "its vocabulary was stored lossily (" + duplicates + " repeated tokens, "
                    + missingBytes + " single bytes missing: incomplete UTF-8 written as U+FFFD); give --tokenizer DIR with "
                    + (multi ? "multilingual.tiktoken" : "gpt2.tiktoken"));
        return new WhisperTokenizer(source + " (vocabulary)", ranks, multi, langs);
    }

    public Tiktoken encoding() { return encoding; }

    public boolean multilingual() { return multilingual; }

    public int numLanguages() { return numLanguages; }

    public int nVocab() { return encoding.nVocab(); }

    public int eot() { return eot; }

    public int sot() { return sot; }

    public int translate() { return translate; }

    public int transcribe() { return transcribe; }

    public int sotLm() { return sotLm; }

    public int sotPrev() { return sotPrev; }

    /** {@code <|nospeech|>} ({@code <|nocaptions|>} in older releases; same id). */
    public int noSpeech() { return noSpeech; }

    public int noTimestamps() { return noTimestamps; }

    /** {@code <|0.00|>}; every id from here to {@code nVocab - 1} is a timestamp. */
    public int timestampBegin() { return timestampBegin; }

    public boolean isTimestamp(int id) { return id >= timestampBegin && id < nVocab(); }

    /** Seconds of timestamp token {@code id}: {@code (id - timestampBegin) * 0.02}. */
    public double timestampSeconds(int id) {
        if (!isTimestamp(id)) throw new IllegalArgumentException("token " + id + " is not a timestamp");
        return (id - timestampBegin) * TIME_PRECISION;
    }

    /** The id of a special token by its text, e.g. {@code <|en|>}, {@code <|1.00|>}; -1 when there is none. */
    public int specialId(String text) {
        if (text.equals("<|nocaptions|>")) return noSpeech;
        return encoding.specialId(text);
    }

    /**
     * The start-of-transcript sequence: English-only models {@code [sot]} (language and task are not part of
     * their prompt and are ignored); multilingual {@code [sot, <|language|>, <|task|>]}, where a null language or
     * task leaves its token out. {@code language} is a code or English name ({@link WhisperLanguages#toCode}).
     */
    public int[] sotSequence(String language, Task task) {
        if (!multilingual) return new int[] {sot};
        List<Integer> s = new ArrayList<>(3);
        s.add(sot);
        if (language != null) s.add(languageToken(language));
        if (task != null) s.add(task == Task.TRANSCRIBE ? transcribe : translate);
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@link #sotSequence} followed by {@code <|notimestamps|>}. */
    public int[] sotSequenceIncludingNoTimestamps(String language, Task task) {
        int[] s = sotSequence(language, task);
        int[] r = Arrays.copyOf(s, s.length + 1);
        r[s.length] = noTimestamps;
        return r;
    }

    /** The token of a language code or name ({@code "en"}, {@code "English"}, {@code "mandarin"}). */
    public int languageToken(String language) {
        String code = WhisperLanguages.toCode(language);
        int i = code == null ? -1 : WhisperLanguages.CODES.indexOf(code);
        if (i < 0 || i >= numLanguages)
            throw new SynesthesiaException("unsupported language '" + language + "' for this model (" + numLanguages + " languages)");
        return sot + 1 + i;
    }

    public boolean isLanguageToken(int id) { return id > sot && id <= sot + numLanguages; }

    /** The code of language token {@code id}, e.g. 50259 → {@code "en"}. */
    public String languageCode(int id) {
        if (!isLanguageToken(id)) throw new IllegalArgumentException("token " + id + " is not a language token");
        return WhisperLanguages.CODES.get(id - sot - 1);
    }

    /** All language tokens, in order ({@code sot+1 .. sot+numLanguages}). */
    public int[] allLanguageTokens() {
        int[] r = new int[numLanguages];
        for (int i = 0; i < numLanguages; i++) r[i] = sot + 1 + i;
        return r;
    }

    /** The codes of {@link #allLanguageTokens()}. */
    public List<String> allLanguageCodes() {
        return WhisperLanguages.CODES.subList(0, numLanguages);
    }

    /** Ordinary tokens of {@code text} (tiktoken {@code encode_ordinary}: special-token text is plain text). */
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text);
    }

    /** The text of {@code ids} with every special token (id ≥ eot: sot, languages, timestamps...) left out. */
    public String decode(int[] ids) {
        int n = 0;
        for (int id : ids) if (id < eot) n++;
        int[] kept = new int[n];
        n = 0;
        for (int id : ids) {
            if (id < 0 || id >= nVocab()) throw new IllegalArgumentException("token id " + id + " out of range [0, " + nVocab() + ")");
            if (id < eot) kept[n++] = id;
        }
        return encoding.decode(kept);
    }

    /** The text of {@code ids} with special tokens written out, e.g. {@code "<|0.00|> Hello<|1.08|>"}. */
    public String decodeWithTimestamps(int[] ids) {
        return encoding.decode(ids);
    }

    /**
     * Tokens to suppress for {@code suppress_tokens=-1} so that the model does not write speaker tags or
     * annotations ("♪♪♪", "( SPEAKING FOREIGN LANGUAGE )", "[DAVID]"): each symbol below that is one token,
     * alone or after a space; for the musical signs U+2669..U+266F the first token however they split; and
     * {@code " -"}, {@code " '"}. Sorted ascending. (openai {@code Tokenizer.non_speech_tokens}.)
     */
    public int[] nonSpeechTokens() {
        int[] r = nonSpeech;
        if (r == null) nonSpeech = r = computeNonSpeechTokens();
        return r.clone();
    }

    private int[] computeNonSpeechTokens() {
        List<String> symbols = new ArrayList<>();
        "\"#()*+/:;<=>@[\\]^_`{|}~「」『』".codePoints().forEach(c -> symbols.add(Character.toString(c)));
        symbols.addAll(List.of("<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", "(\"", "((", "))", "(((", ")))",
                "[[", "]]", "{{", "}}", "♪♪", "♪♪♪"));
        List<String> musical = new ArrayList<>();
        "♩♪♫♬♭♮♯".codePoints().forEach(c -> musical.add(Character.toString(c)));
        TreeSet<Integer> result = new TreeSet<>();
        result.add(encode(" -")[0]);
        result.add(encode(" '")[0]);
        for (String sym : symbols) {
            for (String variant : new String[] {sym, " " + sym}) {
                int[] t = encode(variant);
                if (t.length == 1) result.add(t[0]);
            }
        }
        for (String sym : musical) {
            result.add(encode(sym)[0]);
            result.add(encode(" " + sym)[0]);
        }
        return result.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The tokens decoding must never sample (openai {@code DecodingTask._get_suppress_tokens}): {@code requested}
     * with {@code -1} expanded to {@link #nonSpeechTokens()}, plus transcribe, translate, sot, sot_prev, sot_lm
     * and no_speech; sorted, without duplicates. An empty {@code requested} suppresses only those six.
     */
    public int[] suppressTokens(int[] requested) {
        TreeSet<Integer> s = new TreeSet<>();
        boolean all = false;
        for (int t : requested) {
            if (t == -1) all = true;
            else if (t >= 0) s.add(t);
        }
        if (all) for (int t : nonSpeechTokens()) s.add(t);
        for (int t : new int[] {transcribe, translate, sot, sotPrev, sotLm, noSpeech}) s.add(t);
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Words and the tokens that make each one up (concatenated, the words give the decoded text). */
    public record WordTokens(List<String> words, List<int[]> tokens) {}

    /**
     * Groups {@code tokens} into words for word-level timestamps (openai {@code split_to_word_tokens}): for
     * zh, ja, th, lo, my, yue at every point where the decoded text is complete UTF-8; otherwise a new word starts
     * at a special token, a subword beginning with a space, or a punctuation subword. Trailing tokens that do not
     * complete a character are dropped.
     */
    public WordTokens splitToWordTokens(int[] tokens, String language) {
        String code = language == null ? null : WhisperLanguages.toCode(language);
        if (code != null && WhisperLanguages.NO_SPACE_LANGUAGES.contains(code)) return splitOnUnicode(tokens);
        return splitOnSpaces(tokens);
    }

    /** Cuts after every token at which the decoded prefix is no longer inside a multi-byte character. */
    WordTokens splitOnUnicode(int[] tokens) {
        String full = decodeWithTimestamps(tokens);
        List<String> words = new ArrayList<>();
        List<int[]> wordTokens = new ArrayList<>();
        int start = 0, offset = 0;
        for (int end = 1; end <= tokens.length; end++) {
            int[] current = Arrays.copyOfRange(tokens, start, end);
            String decoded = decodeWithTimestamps(current);
            int bad = decoded.indexOf('\uFFFD');
            // a replacement character is accepted when the full text has one at the same place (truly invalid bytes)
            if (bad < 0 || (offset + bad < full.length() && full.charAt(offset + bad) == '\uFFFD')) {
                words.add(decoded);
                wordTokens.add(current);
                start = end;
                offset += decoded.length();
            }
        }
        return new WordTokens(words, wordTokens);
    }

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python string.punctuation

    WordTokens splitOnSpaces(int[] tokens) {
        WordTokens sub = splitOnUnicode(tokens);
        List<String> words = new ArrayList<>();
        List<int[]> wordTokens = new ArrayList<>();
        for (int i = 0; i < sub.words().size(); i++) {
            String subword = sub.words().get(i);
            int[] subTokens = sub.tokens().get(i);
            boolean special = subTokens[0] >= eot;
            boolean withSpace = subword.startsWith(" ");
            boolean punctuation = PUNCTUATION.contains(PyText.strip(subword)); // substring test, as in openai
            if (special || withSpace || punctuation || words.isEmpty()) {
                words.add(subword);
                wordTokens.add(subTokens);
            } else {
                int last = words.size() - 1;
                words.set(last, words.get(last) + subword);
                int[] prev = wordTokens.get(last);
                int[] joined = Arrays.copyOf(prev, prev.length + subTokens.length);
                System.arraycopy(subTokens, 0, joined, prev.length, subTokens.length);
                wordTokens.set(last, joined);
            }
        }
        return new WordTokens(words, wordTokens);
    }
}
