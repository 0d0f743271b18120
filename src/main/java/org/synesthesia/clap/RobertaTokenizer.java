package org.synesthesia.clap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * RoBERTa's byte-level BPE tokenizer (Hugging Face's slow {@code RobertaTokenizer} over roberta-base's
 * {@code vocab.json} + {@code merges.txt}), as AudioLDM's CLAP text branch calls it:
 * {@code tokenizer(text, padding="max_length", truncation=True, max_length=512)}.
 *
 * <p>The special-token strings {@code <s> </s> <unk> <pad> <mask>} in the text are taken as those tokens
 * ({@code <mask>} also swallows the whitespace before it); the rest is split with GPT-2's pattern (contractions,
 * optional space + letters / digits / other symbols, whitespace runs) without lower-casing or normalisation, each
 * piece's UTF-8 bytes mapped to GPT-2's printable table and merged by rank. The model input is
 * {@code [<s>=0] + ids[:max-2] + [</s>=2]}, padded with {@code <pad>=1}; the attention mask is 1 over the unpadded part.
 */
public final class RobertaTokenizer {
    public static final int BOS = 0, PAD = 1, EOS = 2, UNK = 3;
    public static final int MAX_LENGTH = 512;
    private static final List<String> SPECIALS = List.of("<s>", "</s>", "<unk>", "<pad>", "<mask>");

    private static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> ranks;
    private final Map<String, List<String>> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private RobertaTokenizer(Map<String, Integer> encoder, Map<String, Integer> ranks) {
        this.encoder = encoder;
        this.ranks = ranks;
        int max = 0;
        for (int id : encoder.values()) max = Math.max(max, id);
        decoder = new String[max + 1];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) decoder[e.getValue()] = e.getKey();
    }

    /** A model input: ids and attention mask, both {@code maxLength} long, and whether the text was cut. */
    public record Encoding(long[] inputIds, long[] attentionMask, boolean truncated) {}

    /** From a folder with {@code vocab.json} and {@code merges.txt}. */
    public static RobertaTokenizer fromFolder(Path dir) {
        Path vocab = dir.resolve("vocab.json"), merges = dir.resolve("merges.txt");
        Map<String, Object> m;
        String mergesText;
        try {
            m = Json.parseObject(Files.readString(vocab));
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(vocab, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(vocab, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(vocab, "not a vocabulary: " + e.getMessage());
        }
        try {
            mergesText = Files.readString(merges);
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(merges, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(merges, "cannot read: " + e.getMessage());
        }
        Map<String, Integer> enc = new HashMap<>(m.size() * 2);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!(e.getValue() instanceof Long id)) throw SynesthesiaException.inFile(vocab, "token '" + e.getKey() + "' has a non-integer id");
            enc.put(e.getKey(), (int) (long) id);
        }
        int[] expected = {BOS, EOS, UNK, PAD};
        String[] names = {"<s>", "</s>", "<unk>", "<pad>"};
        for (int i = 0; i < names.length; i++)
            if (!Integer.valueOf(expected[i]).equals(enc.get(names[i])))
                throw SynesthesiaException.inFile(vocab, "special token " + names[i] + " is not id " + expected[i]);
        if (!enc.containsKey("<mask>")) throw SynesthesiaException.inFile(vocab, "no <mask> token");
        // lines between the "#version" header and the final newline
        String[] lines = mergesText.split("\n", -1);
        Map<String, Integer> ranks = new HashMap<>(lines.length * 2);
        for (int i = 1; i < lines.length - 1; i++) {
            String[] p = lines[i].split(" ");
            if (p.length != 2) throw SynesthesiaException.inFile(merges, "line " + (i + 1) + " is not a merge of two symbols");
            ranks.putIfAbsent(lines[i], i - 1);
        }
        if (ranks.isEmpty()) throw SynesthesiaException.inFile(merges, "no merges");
        return new RobertaTokenizer(enc, ranks);
    }

    private static boolean isPythonSpace(char c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    /** {@code tokenizer.tokenize(text)}: special tokens and BPE symbols (a space shows as 'Ġ'). */
    public List<String> tokenize(String text) {
        // split on the special-token strings, leftmost first
        List<String> parts = new ArrayList<>();
        List<Boolean> special = new ArrayList<>();
        int pos = 0, start = 0;
        while (pos < text.length()) {
            String hit = null;
            for (String s : SPECIALS) if (text.startsWith(s, pos) && (hit == null || s.length() > hit.length())) hit = s;
            if (hit == null) {
                pos++;
                continue;
            }
            parts.add(text.substring(start, pos));
            special.add(false);
            parts.add(hit);
            special.add(true);
            pos += hit.length();
            start = pos;
        }
        parts.add(text.substring(start));
        special.add(false);
        // <mask> strips the whitespace on its left
        for (int i = 1; i < parts.size(); i++) {
            if (special.get(i) && parts.get(i).equals("<mask>")) {
                String left = parts.get(i - 1);
                int e = left.length();
                while (e > 0 && isPythonSpace(left.charAt(e - 1))) e--;
                parts.set(i - 1, left.substring(0, e));
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.isEmpty()) continue;
            if (special.get(i)) {
                out.add(p);
                continue;
            }
            Matcher m = PIECES.matcher(p);
            while (m.find()) out.addAll(bpe(ByteLevel.encode(m.group())));
        }
        return out;
    }

    /** Token ids of {@code text} without {@code <s>}/{@code </s>}, untruncated. */
    public int[] encode(String text) {
        List<String> toks = tokenize(text);
        int[] ids = new int[toks.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = encoder.getOrDefault(toks.get(i), UNK);
        return ids;
    }

    /** The padded model input of length {@link #MAX_LENGTH}. */
    public Encoding encodeForModel(String text) {
        return encodeForModel(text, MAX_LENGTH);
    }

    /** {@code [0] + ids[:maxLength-2] + [2]} padded with 1 to {@code maxLength}, and its attention mask. */
    public Encoding encodeForModel(String text, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        int[] ids = encode(text);
        int n = Math.min(ids.length, maxLength - 2);
        long[] input = new long[maxLength], mask = new long[maxLength];
        Arrays.fill(input, PAD);
        input[0] = BOS;
        for (int i = 0; i < n; i++) input[i + 1] = ids[i];
        input[n + 1] = EOS;
        for (int i = 0; i < n + 2; i++) mask[i] = 1;
        return new Encoding(input, mask, ids.length > n);
    }

    /** Text of ids (special tokens written out), bytes decoded as UTF-8 with U+FFFD for invalid sequences. */
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        StringBuilder sym = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length || decoder[id] == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
            String s = decoder[id];
            if (SPECIALS.contains(s)) {
                out.append(bytesToText(sym));
                sym.setLength(0);
                out.append(s);
            } else sym.append(s);
        }
        return out.append(bytesToText(sym)).toString();
    }

    private static String bytesToText(CharSequence sym) {
        byte[] b = new byte[sym.length()];
        for (int i = 0; i < b.length; i++) {
            int v = ByteLevel.byteFor(sym.charAt(i));
            if (v < 0) throw new IllegalStateException("vocabulary symbol character U+" + Integer.toHexString(sym.charAt(i)) + " is not a byte");
            b[i] = (byte) v;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> bpe(String token) {
        List<String> cached = cache.get(token);
        if (cached != null) return cached;
        List<String> symbols = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) symbols.add(String.valueOf(token.charAt(i)));
        List<String> out = List.copyOf(ByteLevel.merge(symbols, ranks));
        if (cache.size() > 50_000) cache.clear();
        cache.put(token, out);
        return out;
    }
}
