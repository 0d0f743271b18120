package org.synesthesia.clip;

import java.io.IOException;
import java.io.InputStream;
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
import org.synesthesia.text.BpeFiles;
import org.synesthesia.text.BpeMerges;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.PythonText;
import org.synesthesia.text.Vocab;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
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

    private final Vocab vocab;
    private final BpeMerges merges;
    private final int padId;

    private ClipTokenizer(Map<String, Integer> encoder, List<String[]> merges, int padId) {
        this.vocab = new Vocab(encoder);
        this.merges = new BpeMerges(merges, "</w>");
        this.padId = padId;
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
        Map<String, Integer> encoder = BpeFiles.readVocab(vocab);
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
        return fromVocabAndMerges(BpeFiles.readVocab(vocab), mergesFile, padId);
    }

    private static ClipTokenizer fromVocabAndMerges(Map<String, Integer> encoder, Path mergesFile, int padId) {
        List<String> lines = Arrays.asList(ReadFile.text(mergesFile).strip().split("\n", -1));
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
        return vocab.byId();
    }

    /** The BPE merges in rank order, each "first second". */
    public List<String> merges() {
        return merges.asStrings();
    }

    /** Lines 1 .. 48,894 of a merges file (line 0 is a version header), each "first second". */
    private static List<String[]> parseMerges(Path file, List<String> lines) {
        if (lines.size() < MERGES + 1)
            throw SynesthesiaException.inFile(file, "truncated: " + (lines.size() - 1) + " merges, CLIP needs " + MERGES);
        return BpeFiles.parseMerges(file, lines, 1, MERGES + 1);
    }

    // ---- text cleaning ----

    /** CLIP's text cleaning: {@code whitespace_clean(basic_clean(text)).lower()}. */
    static String clean(String text) {
        String t = TextFixer.fixText(text);
        t = HtmlEntities.unescape(HtmlEntities.unescape(t));
        StringBuilder b = new StringBuilder(t.length());
        boolean pendingSpace = false;
        for (int i = 0; i < t.length(); ) {
            int c = t.codePointAt(i);
            i += Character.charCount(c);
            if (PythonText.isSpace(c)) {
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
    List<String> bpeTokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PIECES.matcher(clean(text));
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(SOT) || piece.equals(EOT)) {
                out.add(piece);
                continue;
            }
            out.addAll(merges.apply(ByteLevel.encode(piece)));
        }
        return out;
    }

    /** Token ids of {@code text}, no start/end tokens, not truncated. */
    public int[] encode(String text) {
        List<String> toks = bpeTokens(text);
        int[] ids = new int[toks.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.id(toks.get(i));
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
        return vocab.size();
    }

    /** Text of token ids: symbols joined, bytes decoded as UTF-8 (ill-formed sequences as U+FFFD), {@code </w>} as a space. */
    public String decode(int[] ids) {
        StringBuilder sym = new StringBuilder();
        for (int id : ids) sym.append(vocab.token(id));
        return ByteLevel.decode(sym).replace("</w>", " ");
    }
}
