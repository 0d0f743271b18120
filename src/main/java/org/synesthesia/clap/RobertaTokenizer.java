package org.synesthesia.clap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.text.BpeFiles;
import org.synesthesia.text.BpeMerges;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.PythonText;
import org.synesthesia.text.Vocab;
import org.synesthesia.util.ReadFile;
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

    private static final Pattern PIECES = Pattern.compile(ByteLevel.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);

    private final Vocab vocab;
    private final BpeMerges merges;

    private RobertaTokenizer(Vocab vocab, BpeMerges merges) {
        this.vocab = vocab;
        this.merges = merges;
    }

    /** A model input: ids and attention mask, both {@code maxLength} long, and whether the text was cut. */
    public record Encoding(long[] inputIds, long[] attentionMask, boolean truncated) {}

    /** From a folder with {@code vocab.json} and {@code merges.txt}. */
    public static RobertaTokenizer fromFolder(Path dir) {
        Path vocabFile = dir.resolve("vocab.json"), mergesFile = dir.resolve("merges.txt");
        Vocab vocab = new Vocab(BpeFiles.readVocab(vocabFile));
        int[] expected = {BOS, EOS, UNK, PAD};
        String[] names = {"<s>", "</s>", "<unk>", "<pad>"};
        for (int i = 0; i < names.length; i++)
            if (!Integer.valueOf(expected[i]).equals(vocab.id(names[i])))
                throw SynesthesiaException.inFile(vocabFile, "special token " + names[i] + " is not id " + expected[i]);
        if (!vocab.contains("<mask>")) throw SynesthesiaException.inFile(vocabFile, "no <mask> token");
        // transformers' RobertaTokenizer: read().split("\n")[1:-1], the lines between the "#version" header and the final newline
        List<String> lines = Arrays.asList(ReadFile.text(mergesFile).split("\n", -1));
        List<String[]> pairs = BpeFiles.parseMerges(mergesFile, lines, 1, lines.size() - 1);
        if (pairs.isEmpty()) throw SynesthesiaException.inFile(mergesFile, "no merges");
        return new RobertaTokenizer(vocab, new BpeMerges(pairs, ""));
    }

    /**
     * From lists, as a converted model file stores them: {@code vocabulary.get(i)} is the token of id {@code i}
     * (GPT-2 byte-level characters), {@code merges} the BPE merges in rank order ("a b"); {@code where} names the file.
     */
    public static RobertaTokenizer fromLists(List<String> vocabulary, List<String> merges, String where) {
        java.util.Map<String, Integer> ids = new java.util.HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++)
            if (ids.put(vocabulary.get(i), i) != null)
                throw new SynesthesiaException(where + ": RoBERTa vocabulary token '" + vocabulary.get(i) + "' appears twice");
        String[] names = {"<s>", "<pad>", "</s>", "<unk>"};
        for (int i = 0; i < names.length; i++)
            if (!Integer.valueOf(i).equals(ids.get(names[i])))
                throw new SynesthesiaException(where + ": RoBERTa special token " + names[i] + " is not id " + i);
        if (!ids.containsKey("<mask>")) throw new SynesthesiaException(where + ": RoBERTa vocabulary has no <mask> token");
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).split(" ");
            if (parts.length != 2) throw new SynesthesiaException(where + ": RoBERTa merge " + i + " '" + merges.get(i) + "' is not two symbols");
            pairs.add(parts);
        }
        if (pairs.isEmpty()) throw new SynesthesiaException(where + ": no RoBERTa merges");
        return new RobertaTokenizer(new Vocab(ids), new BpeMerges(pairs, ""));
    }

    /** The vocabulary in id order (null where an id has no token). */
    public List<String> vocabulary() {
        return vocab.byId();
    }

    /** The BPE merges in rank order, each "first second". */
    public List<String> merges() {
        return merges.asStrings();
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
                while (e > 0 && PythonText.isSpace(left.charAt(e - 1))) e--;
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
            while (m.find()) out.addAll(merges.apply(ByteLevel.encode(m.group())));
        }
        return out;
    }

    /** Token ids of {@code text} without {@code <s>}/{@code </s>}, untruncated. */
    public int[] encode(String text) {
        List<String> toks = tokenize(text);
        int[] ids = new int[toks.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.id(toks.get(i));
            ids[i] = id == null ? UNK : id;
        }
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

    /** Text of ids (special tokens written out), bytes decoded as UTF-8 with U+FFFD for ill-formed sequences. */
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        StringBuilder sym = new StringBuilder();
        for (int id : ids) {
            String s = vocab.token(id);
            if (SPECIALS.contains(s)) {
                out.append(ByteLevel.decode(sym));
                sym.setLength(0);
                out.append(s);
            } else sym.append(s);
        }
        return out.append(ByteLevel.decode(sym)).toString();
    }
}
