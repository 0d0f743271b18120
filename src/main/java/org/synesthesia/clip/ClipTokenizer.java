package org.synesthesia.clip;

import org.synesthesia.text.ByteLevel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * CLIP's byte-level BPE tokenizer (openai/CLIP {@code SimpleTokenizer}, identical ids to Hugging Face's slow
 * {@code CLIPTokenizer} for Stable Diffusion), from either {@code bpe_simple_vocab_16e6.txt.gz} or a
 * {@code vocab.json} + {@code merges.txt} pair.
 *
 * <p>Encoding: {@link TextFixer ftfy-style fixes}, HTML unescape twice, strip, collapse whitespace to single
 * spaces, lower-case; split with CLIP's pattern (the two special tokens, the English contractions, runs of letters,
 * single digits, runs of other non-space characters); each piece's UTF-8 bytes are mapped to printable characters
 * (GPT-2's byte-to-unicode table), its last character marked with {@code </w>}, and merged by rank. The model input
 * is {@code [49406] + ids[:75] + [49407]} padded to 77 with 49407 (SD 1.x) or 0 (SD 2.x / OpenCLIP, pad token "!").
 */
public final class ClipTokenizer {
    public static final int START_OF_TEXT = 49406;
    public static final int END_OF_TEXT = 49407;
    /** SD 2.x / OpenCLIP pad id (the token "!"). */
    public static final int PAD_ZERO = 0;
    public static final int CONTEXT_LENGTH = 77;
    private static final String SOT = "<|startoftext|>", EOT = "<|endoftext|>";
    /** Merges used: CLIP's vocabulary is 256 bytes x 2 (plain and word-final) + 48,894 merges + 2 specials = 49,408. */
    private static final int MERGES = 49152 - 256 - 2;

    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> ranks;
    private final int padId;
    private final List<String[]> merges;
    private final Map<String, String[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> encoder, List<String[]> merges, int padId) {
        this.encoder = encoder;
        this.merges = List.copyOf(merges);
        this.ranks = rankMap(merges);
        this.padId = padId;
        int max = 0;
        for (int id : encoder.values()) max = Math.max(max, id);
        decoder = new String[max + 1];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) decoder[e.getValue()] = e.getKey();
        Integer sot = encoder.get(SOT), eot = encoder.get(EOT);
        if (sot == null || eot == null || sot != START_OF_TEXT || eot != END_OF_TEXT)
            throw new SynesthesiaException("CLIP vocabulary: special tokens are not at 49406/49407 (found " + sot + ", " + eot + ")");
    }

    /** From openai's {@code bpe_simple_vocab_16e6.txt.gz}; pads with 49407 (SD 1.x). */
    public static ClipTokenizer fromBpeFile(Path gz) {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            lines = Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(gz, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(gz, "cannot read the gzipped BPE merges: " + e.getMessage());
        }
        List<String[]> merges = parseMerges(gz, lines);
        Map<String, Integer> encoder = new LinkedHashMap<>();
        List<Character> bytes = ByteLevel.alphabet();
        for (char c : bytes) encoder.put(String.valueOf(c), encoder.size());
        for (char c : bytes) encoder.put(c + "</w>", encoder.size());
        for (String[] m : merges) encoder.put(m[0] + m[1], encoder.size());
        encoder.put(SOT, encoder.size());
        encoder.put(EOT, encoder.size());
        return new ClipTokenizer(encoder, merges, END_OF_TEXT);
    }

    /**
     * From a Hugging Face tokenizer folder ({@code vocab.json}, {@code merges.txt}, optional
     * {@code special_tokens_map.json} whose pad token sets the pad id: "!" gives 0 as in SD 2.x).
     */
    public static ClipTokenizer fromFolder(Path dir) {
        Path vocab = dir.resolve("vocab.json"), mergesFile = dir.resolve("merges.txt");
        int pad = END_OF_TEXT;
        Path special = dir.resolve("special_tokens_map.json");
        Map<String, Integer> encoder = readVocab(vocab);
        if (Files.exists(special)) {
            Object p;
            try {
                p = Json.parseObject(Files.readString(special)).get("pad_token");
            } catch (IOException | IllegalArgumentException e) {
                throw SynesthesiaException.inFile(special, "cannot read: " + e.getMessage());
            }
            if (p instanceof Map<?, ?> m) p = m.get("content");
            if (p instanceof String s) {
                Integer id = encoder.get(s);
                if (id == null) throw SynesthesiaException.inFile(special, "pad token '" + s + "' is not in the vocabulary");
                pad = id;
            }
        }
        return fromVocabAndMerges(encoder, mergesFile, pad);
    }

    /** From {@code vocab.json} and {@code merges.txt} with the given pad id. */
    public static ClipTokenizer fromVocabAndMerges(Path vocab, Path mergesFile, int padId) {
        return fromVocabAndMerges(readVocab(vocab), mergesFile, padId);
    }

    private static ClipTokenizer fromVocabAndMerges(Map<String, Integer> encoder, Path mergesFile, int padId) {
        List<String> lines;
        try {
            lines = Arrays.asList(Files.readString(mergesFile).strip().split("\n", -1));
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(mergesFile, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(mergesFile, "cannot read: " + e.getMessage());
        }
        List<String[]> merges = parseMerges(mergesFile, lines);
        for (String[] m : merges)
            if (!encoder.containsKey(m[0] + m[1])) throw SynesthesiaException.inFile(mergesFile, "merge '" + m[0] + " " + m[1] + "' has no vocabulary entry");
        return new ClipTokenizer(encoder, merges, padId);
    }

    /**
     * From lists, as a converted model file stores them: {@code vocabulary.get(i)} is the token of id {@code i}
     * (byte-level characters, {@code </w>} word ends), {@code merges} the BPE merges in rank order ("a b").
     */
    public static ClipTokenizer fromLists(List<String> vocabulary, List<String> merges, int padId) {
        Map<String, Integer> encoder = new HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++)
            if (encoder.put(vocabulary.get(i), i) != null) throw new SynesthesiaException("CLIP vocabulary: token '" + vocabulary.get(i) + "' appears twice");
        List<String[]> m = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).split(" ");
            if (parts.length != 2) throw new SynesthesiaException("CLIP merges: entry " + i + " '" + merges.get(i) + "' is not two symbols");
            if (!encoder.containsKey(parts[0] + parts[1])) throw new SynesthesiaException("CLIP merges: merge '" + merges.get(i) + "' has no vocabulary entry");
            m.add(parts);
        }
        if (padId < 0 || padId >= vocabulary.size()) throw new SynesthesiaException("CLIP vocabulary: pad id " + padId + " is not a token id");
        return new ClipTokenizer(encoder, m, padId);
    }

    /** The vocabulary in id order (null where an id has no token). */
    public List<String> vocabulary() {
        return java.util.Collections.unmodifiableList(Arrays.asList(decoder));
    }

    /** The BPE merges in rank order, each "first second". */
    public List<String> merges() {
        List<String> out = new ArrayList<>(merges.size());
        for (String[] m : merges) out.add(m[0] + " " + m[1]);
        return out;
    }

    private static Map<String, Integer> readVocab(Path vocab) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(Files.readString(vocab));
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(vocab, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(vocab, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(vocab, "not a vocabulary: " + e.getMessage());
        }
        Map<String, Integer> enc = new HashMap<>(m.size() * 2);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!(e.getValue() instanceof Long id)) throw SynesthesiaException.inFile(vocab, "token '" + e.getKey() + "' has a non-integer id");
            enc.put(e.getKey(), (int) (long) id);
        }
        return enc;
    }

    /** Lines 1 .. 48,894 of a merges file (line 0 is a version header), each "first second". */
    private static List<String[]> parseMerges(Path file, List<String> lines) {
        if (lines.size() < MERGES + 1)
            throw SynesthesiaException.inFile(file, "truncated: " + (lines.size() - 1) + " merges, CLIP needs " + MERGES);
        List<String[]> merges = new ArrayList<>(MERGES);
        for (int i = 1; i <= MERGES; i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            if (parts.length != 2) throw SynesthesiaException.inFile(file, "line " + (i + 1) + " is not a merge of two symbols");
            merges.add(parts);
        }
        return merges;
    }

    private static Map<String, Integer> rankMap(List<String[]> merges) {
        Map<String, Integer> r = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) r.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
        return r;
    }

    // ---- text cleaning ----

    /** Python's {@code str.isspace()} / regex {@code \s} on str: bidi classes WS, B, S and category Zs. */
    static boolean isPythonSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    /** CLIP's text cleaning: {@code whitespace_clean(basic_clean(text)).lower()}. */
    public static String clean(String text) {
        String t = TextFixer.fixText(text);
        t = HtmlEntities.unescape(HtmlEntities.unescape(t));
        StringBuilder b = new StringBuilder(t.length());
        boolean pendingSpace = false;
        for (int i = 0; i < t.length(); ) {
            int c = t.codePointAt(i);
            i += Character.charCount(c);
            if (isPythonSpace(c)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && b.length() > 0) b.append(' ');
                pendingSpace = false;
                b.appendCodePoint(c);
            }
        }
        return b.toString().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- BPE ----

    /** The BPE symbols of {@code text} (e.g. {@code "a</w>", "photograph</w>"}), no special tokens added. */
    public List<String> bpeTokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECES.matcher(clean(text));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(SOT) || piece.equals(EOT)) {
                out.add(piece);
                continue;
            }
            out.addAll(Arrays.asList(bpe(ByteLevel.encode(piece))));
        }
        return out;
    }

    /** Token ids of {@code text}, no start/end tokens, not truncated. */
    public int[] encode(String text) {
        List<String> toks = bpeTokens(text);
        int[] ids = new int[toks.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = encoder.get(toks.get(i));
            if (id == null) throw new IllegalStateException("BPE produced '" + toks.get(i) + "', which is not in the vocabulary");
            ids[i] = id;
        }
        return ids;
    }

    /** The 77 model input ids: start, the first 75 ids, end, then this tokenizer's pad id. */
    public int[] encodeForModel(String text) {
        return encodeForModel(text, padId);
    }

    /** The 77 model input ids padded with {@code pad} (49407 for SD 1.x, 0 for SD 2.x). */
    public int[] encodeForModel(String text, int pad) {
        int[] ids = encode(text);
        int n = Math.min(ids.length, CONTEXT_LENGTH - 2);
        int[] out = new int[CONTEXT_LENGTH];
        Arrays.fill(out, pad);
        out[0] = START_OF_TEXT;
        System.arraycopy(ids, 0, out, 1, n);
        out[n + 1] = END_OF_TEXT;
        return out;
    }

    /** The pad id this tokenizer was loaded with. */
    public int padId() {
        return padId;
    }

    public int vocabSize() {
        return decoder.length;
    }

    /** Text of token ids: symbols joined, bytes decoded as UTF-8 (invalid sequences as U+FFFD), {@code </w>} as a space. */
    public String decode(int[] ids) {
        StringBuilder sym = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length || decoder[id] == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
            sym.append(decoder[id]);
        }
        byte[] bytes = new byte[sym.length()];
        int n = 0;
        for (int i = 0; i < sym.length(); i++) {
            char c = sym.charAt(i);
            int b = ByteLevel.byteFor(c);
            if (b < 0) throw new IllegalStateException("vocabulary symbol character U+" + Integer.toHexString(c) + " is not a byte");
            bytes[n++] = (byte) b;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
        return text.replace("</w>", " ");
    }

    /** Merges the symbols of one mapped piece by rank, the last symbol marked word-final. */
    private String[] bpe(String token) {
        String[] cached = cache.get(token);
        if (cached != null) return cached;
        List<String> word = new ArrayList<>();
        for (int i = 0; i < token.length(); i++) word.add(String.valueOf(token.charAt(i)));
        word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
        word = ByteLevel.merge(word, ranks);
        String[] out = word.toArray(new String[0]);
        if (cache.size() > 50_000) cache.clear();
        cache.put(token, out);
        return out;
    }
}
