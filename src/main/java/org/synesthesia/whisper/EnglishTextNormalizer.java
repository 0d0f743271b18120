package org.synesthesia.whisper;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * openai/whisper's {@code EnglishTextNormalizer}, applied to both reference and hypothesis before a word error
 * rate: lower-case; drop {@code [..]}, {@code <..>} and {@code (..)} spans and fillers (hmm, mm, mhm, mmm, uh, um);
 * expand contractions and titles ({@code won't} → {@code will not}, {@code mr} → {@code mister}); drop commas
 * inside numbers and periods not before a digit; NFKD, drop diacritics and replace other marks, symbols and
 * punctuation (except {@code . % $ ¢ € £}) by spaces; spelled numbers to digits ({@link EnglishNumberNormalizer});
 * British to American spelling (the {@code english.json} table); attach currency and percent signs to numbers and
 * drop the ones that are not; collapse whitespace.
 *
 * <p>Regexes run with Unicode {@code \w \d \s \b} as Python's {@code re} does; Java and Python disagree on
 * {@code \w} only for combining marks, which this normaliser removes anyway.
 */
final class EnglishTextNormalizer {
    private static final int U = Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern BRACKETS = Pattern.compile("[<\\[][^>\\]]*[>\\]]", U);
    private static final Pattern PARENTHESES = Pattern.compile("\\(([^)]+?)\\)", U);
    private static final Pattern FILLERS = Pattern.compile("\\b(hmm|mm|mhm|mmm|uh|um)\\b", U);
    private static final Pattern SPACE_APOSTROPHE = Pattern.compile("\\s+'", U);
    private static final Pattern DIGIT_COMMA_DIGIT = Pattern.compile("(\\d),(\\d)", U);
    private static final Pattern PERIOD_NOT_BEFORE_DIGIT = Pattern.compile("\\.([^0-9]|$)", U);
    private static final Pattern CURRENCY_SPACE_DIGIT = Pattern.compile("([$¢€£])\\s+([0-9])", U);
    private static final Pattern DIGIT_SPACE_PERCENT = Pattern.compile("([0-9])\\s+%", U);
    private static final Pattern LONE_PREFIX_SYMBOL = Pattern.compile("[.$¢€£]([^0-9])", U);
    private static final Pattern LONE_PERCENT = Pattern.compile("([^0-9])%", U);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", U);

    /** Pattern → replacement, applied in this order. */
    private static final String[][] REPLACERS = {
        // common contractions
        {"\\bwon't\\b", "will not"}, {"\\bcan't\\b", "can not"}, {"\\blet's\\b", "let us"}, {"\\bain't\\b", "aint"},
        {"\\by'all\\b", "you all"}, {"\\bwanna\\b", "want to"}, {"\\bgotta\\b", "got to"}, {"\\bgonna\\b", "going to"},
        {"\\bi'ma\\b", "i am going to"}, {"\\bimma\\b", "i am going to"}, {"\\bwoulda\\b", "would have"},
        {"\\bcoulda\\b", "could have"}, {"\\bshoulda\\b", "should have"}, {"\\bma'am\\b", "madam"},
        // titles and prefixes
        {"\\bmr\\b", "mister "}, {"\\bmrs\\b", "missus "}, {"\\bst\\b", "saint "}, {"\\bdr\\b", "doctor "},
        {"\\bprof\\b", "professor "}, {"\\bcapt\\b", "captain "}, {"\\bgov\\b", "governor "}, {"\\bald\\b", "alderman "},
        {"\\bgen\\b", "general "}, {"\\bsen\\b", "senator "}, {"\\brep\\b", "representative "},
        {"\\bpres\\b", "president "}, {"\\brev\\b", "reverend "}, {"\\bhon\\b", "honorable "},
        {"\\basst\\b", "assistant "}, {"\\bassoc\\b", "associate "}, {"\\blt\\b", "lieutenant "},
        {"\\bcol\\b", "colonel "}, {"\\bjr\\b", "junior "}, {"\\bsr\\b", "senior "}, {"\\besq\\b", "esquire "},
        // perfect tenses
        {"'d been\\b", " had been"}, {"'s been\\b", " has been"}, {"'d gone\\b", " had gone"},
        {"'s gone\\b", " has gone"}, {"'d done\\b", " had done"}, {"'s got\\b", " has got"},
        // general contractions
        {"n't\\b", " not"}, {"'re\\b", " are"}, {"'s\\b", " is"}, {"'d\\b", " would"}, {"'ll\\b", " will"},
        {"'t\\b", " not"}, {"'ve\\b", " have"}, {"'m\\b", " am"},
    };
    private static final List<Pattern> REPLACER_PATTERNS = new ArrayList<>();

    static {
        for (String[] r : REPLACERS) REPLACER_PATTERNS.add(Pattern.compile(r[0], U));
    }

    /** Letters that NFKD does not split into base + mark. */
    private static final Map<Integer, String> ADDITIONAL_DIACRITICS = Map.ofEntries(
            Map.entry((int) 'œ', "oe"), Map.entry((int) 'Œ', "OE"), Map.entry((int) 'ø', "o"), Map.entry((int) 'Ø', "O"),
            Map.entry((int) 'æ', "ae"), Map.entry((int) 'Æ', "AE"), Map.entry((int) 'ß', "ss"), Map.entry((int) 'ẞ', "SS"),
            Map.entry((int) 'đ', "d"), Map.entry((int) 'Đ', "D"), Map.entry((int) 'ð', "d"), Map.entry((int) 'Ð', "D"),
            Map.entry((int) 'þ', "th"), Map.entry((int) 'Þ', "th"), Map.entry((int) 'ł', "l"), Map.entry((int) 'Ł', "L"));

    private final Map<String, String> spellings;
    private final EnglishNumberNormalizer numbers = new EnglishNumberNormalizer();

    /** @param spellings British → American word table (may be empty) */
    EnglishTextNormalizer(Map<String, String> spellings) {
        this.spellings = new HashMap<>(spellings);
    }

    /** With the spelling table {@code english.json} (a JSON object of word → word). */
    static EnglishTextNormalizer load(Path englishJson) {
        return new EnglishTextNormalizer(readSpellings(englishJson));
    }

    static Map<String, String> readSpellings(Path file) {
        Map<String, Object> m = ReadFile.jsonObject(file, "not a spelling table");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!(e.getValue() instanceof String v)) throw SynesthesiaException.inFile(file, "value of '" + e.getKey() + "' is not a string");
            out.put(e.getKey(), v);
        }
        return out;
    }

    String normalize(String s) {
        s = s.toLowerCase(Locale.ROOT);
        s = BRACKETS.matcher(s).replaceAll("");
        s = PARENTHESES.matcher(s).replaceAll("");
        s = FILLERS.matcher(s).replaceAll("");
        s = SPACE_APOSTROPHE.matcher(s).replaceAll("'");
        for (int i = 0; i < REPLACERS.length; i++) s = REPLACER_PATTERNS.get(i).matcher(s).replaceAll(REPLACERS[i][1]);
        s = DIGIT_COMMA_DIGIT.matcher(s).replaceAll("$1$2");
        s = PERIOD_NOT_BEFORE_DIGIT.matcher(s).replaceAll(" $1");
        s = removeSymbolsAndDiacritics(s, ".%$¢€£");
        s = numbers.normalize(s);
        s = standardizeSpellings(s);
        s = CURRENCY_SPACE_DIGIT.matcher(s).replaceAll("$1$2");
        s = DIGIT_SPACE_PERCENT.matcher(s).replaceAll("$1%");
        s = LONE_PREFIX_SYMBOL.matcher(s).replaceAll(" $1");
        s = LONE_PERCENT.matcher(s).replaceAll("$1 ");
        s = WHITESPACE.matcher(s).replaceAll(" ");
        return s;
    }

    String standardizeSpellings(String s) {
        List<String> words = PyText.split(s);
        words.replaceAll(w -> spellings.getOrDefault(w, w));
        return String.join(" ", words);
    }

    /**
     * After NFKD: characters in {@code keep} stay; the letters of {@link #ADDITIONAL_DIACRITICS} are spelled
     * out; non-spacing marks (Mn) are dropped; other marks, symbols and punctuation (M*, S*, P*) become spaces.
     */
    static String removeSymbolsAndDiacritics(String s, String keep) {
        String d = Normalizer.normalize(s, Normalizer.Form.NFKD);
        StringBuilder b = new StringBuilder(d.length());
        d.codePoints().forEach(c -> {
            if (keep.indexOf(c) >= 0) { b.appendCodePoint(c); return; }
            String extra = ADDITIONAL_DIACRITICS.get(c);
            if (extra != null) { b.append(extra); return; }
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK) return;
            boolean markSymbolPunct = switch (type) {
                case Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                     Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL,
                     Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                     Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                     Character.OTHER_PUNCTUATION -> true;
                default -> false;
            };
            if (markSymbolPunct) b.append(' ');
            else b.appendCodePoint(c);
        });
        return b.toString();
    }
}
