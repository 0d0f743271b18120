package org.synesthesia.whisper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whisper's languages in token order (openai/whisper {@code LANGUAGES}): the language token of code {@code i} in
 * this list is {@code sot + 1 + i}. Models with 99 languages use the first 99; large-v3 and turbo add {@code yue}.
 */
public final class WhisperLanguages {
    private WhisperLanguages() {}

    private static final String[][] TABLE = {
        {"en", "english"}, {"zh", "chinese"}, {"de", "german"}, {"es", "spanish"}, {"ru", "russian"},
        {"ko", "korean"}, {"fr", "french"}, {"ja", "japanese"}, {"pt", "portuguese"}, {"tr", "turkish"},
        {"pl", "polish"}, {"ca", "catalan"}, {"nl", "dutch"}, {"ar", "arabic"}, {"sv", "swedish"},
        {"it", "italian"}, {"id", "indonesian"}, {"hi", "hindi"}, {"fi", "finnish"}, {"vi", "vietnamese"},
        {"he", "hebrew"}, {"uk", "ukrainian"}, {"el", "greek"}, {"ms", "malay"}, {"cs", "czech"},
        {"ro", "romanian"}, {"da", "danish"}, {"hu", "hungarian"}, {"ta", "tamil"}, {"no", "norwegian"},
        {"th", "thai"}, {"ur", "urdu"}, {"hr", "croatian"}, {"bg", "bulgarian"}, {"lt", "lithuanian"},
        {"la", "latin"}, {"mi", "maori"}, {"ml", "malayalam"}, {"cy", "welsh"}, {"sk", "slovak"},
        {"te", "telugu"}, {"fa", "persian"}, {"lv", "latvian"}, {"bn", "bengali"}, {"sr", "serbian"},
        {"az", "azerbaijani"}, {"sl", "slovenian"}, {"kn", "kannada"}, {"et", "estonian"}, {"mk", "macedonian"},
        {"br", "breton"}, {"eu", "basque"}, {"is", "icelandic"}, {"hy", "armenian"}, {"ne", "nepali"},
        {"mn", "mongolian"}, {"bs", "bosnian"}, {"kk", "kazakh"}, {"sq", "albanian"}, {"sw", "swahili"},
        {"gl", "galician"}, {"mr", "marathi"}, {"pa", "punjabi"}, {"si", "sinhala"}, {"km", "khmer"},
        {"sn", "shona"}, {"yo", "yoruba"}, {"so", "somali"}, {"af", "afrikaans"}, {"oc", "occitan"},
        {"ka", "georgian"}, {"be", "belarusian"}, {"tg", "tajik"}, {"sd", "sindhi"}, {"gu", "gujarati"},
        {"am", "amharic"}, {"yi", "yiddish"}, {"lo", "lao"}, {"uz", "uzbek"}, {"fo", "faroese"},
        {"ht", "haitian creole"}, {"ps", "pashto"}, {"tk", "turkmen"}, {"nn", "nynorsk"}, {"mt", "maltese"},
        {"sa", "sanskrit"}, {"lb", "luxembourgish"}, {"my", "myanmar"}, {"bo", "tibetan"}, {"tl", "tagalog"},
        {"mg", "malagasy"}, {"as", "assamese"}, {"tt", "tatar"}, {"haw", "hawaiian"}, {"ln", "lingala"},
        {"ha", "hausa"}, {"ba", "bashkir"}, {"jw", "javanese"}, {"su", "sundanese"}, {"yue", "cantonese"},
    };

    /** All 100 codes in token order. */
    public static final List<String> CODES;
    private static final Map<String, String> NAME_BY_CODE = new LinkedHashMap<>();
    private static final Map<String, String> CODE_BY_NAME = new LinkedHashMap<>();

    static {
        String[] codes = new String[TABLE.length];
        for (int i = 0; i < TABLE.length; i++) {
            codes[i] = TABLE[i][0];
            NAME_BY_CODE.put(TABLE[i][0], TABLE[i][1]);
            CODE_BY_NAME.put(TABLE[i][1], TABLE[i][0]);
        }
        CODES = List.of(codes);
        String[][] aliases = {
            {"burmese", "my"}, {"valencian", "ca"}, {"flemish", "nl"}, {"haitian", "ht"}, {"letzeburgesch", "lb"},
            {"pushto", "ps"}, {"panjabi", "pa"}, {"moldavian", "ro"}, {"moldovan", "ro"}, {"sinhalese", "si"},
            {"castilian", "es"}, {"mandarin", "zh"},
        };
        for (String[] a : aliases) CODE_BY_NAME.put(a[0], a[1]);
    }

    /** Codes without word spaces, split into words at code point boundaries (openai {@code split_to_word_tokens}). */
    static final List<String> NO_SPACE_LANGUAGES = List.of("zh", "ja", "th", "lo", "my", "yue");

    /** The English name of {@code code} ({@code "en"} → {@code "english"}), or null. */
    public static String name(String code) {
        return NAME_BY_CODE.get(code);
    }

    /**
     * A code or an English name (or alias such as {@code "mandarin"}) as a code, case-insensitive, or null when
     * unknown (openai {@code get_tokenizer}'s lookup).
     */
    public static String toCode(String codeOrName) {
        if (codeOrName == null) return null;
        String s = codeOrName.toLowerCase(Locale.ROOT);
        if (NAME_BY_CODE.containsKey(s)) return s;
        return CODE_BY_NAME.get(s);
    }

    /** Code → name for all 100 languages, in token order. */
    public static Map<String, String> all() {
        return Collections.unmodifiableMap(NAME_BY_CODE);
    }
}
