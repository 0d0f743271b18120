package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.TiktokenFiles;
import org.synesthesia.text.Utf8;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.WhisperTokenizer.Task;

/**
 * Whisper's tokenizer against openai/whisper: special-token layout, the goldens' prompts, and encodings,
 * non-speech tokens and word splits computed by tiktoken 0.14 with whisper's {@code get_encoding} (values below).
 */
class WhisperTokenizerTest {
    private static WhisperTokenizer multilingual;
    private static WhisperTokenizer english;

    static synchronized WhisperTokenizer multi() {
        if (multilingual == null) multilingual = WhisperTokenizer.forModel(SharedData.data("tokenizers"), 51865);
        return multilingual;
    }

    static synchronized WhisperTokenizer en() {
        if (english == null) english = WhisperTokenizer.forModel(SharedData.data("tokenizers"), 51864);
        return english;
    }

    @Test
    void multilingualSpecialTokenIds() {
        WhisperTokenizer t = multi();
        assertTrue(t.multilingual());
        assertEquals(99, t.numLanguages());
        assertEquals(51865, t.nVocab());
        assertEquals(50257, t.eot());
        assertEquals(50258, t.sot());
        assertEquals(50259, t.languageToken("en"));
        assertEquals(50358, t.translate());
        assertEquals(50359, t.transcribe());
        assertEquals(50360, t.sotLm());
        assertEquals(50361, t.sotPrev());
        assertEquals(50362, t.noSpeech());
        assertEquals(50363, t.noTimestamps());
        assertEquals(50364, t.timestampBegin());
        assertEquals(50362, t.specialId("<|nocaptions|>"));
        assertEquals(50362, t.specialId("<|nospeech|>"));
        assertEquals(50357, t.languageToken("su")); // the 99th language
        assertEquals(-1, t.specialId("<|yue|>"));
        assertEquals("<|startoftranscript|><|en|><|transcribe|><|notimestamps|>",
                t.decodeWithTimestamps(new int[] {50258, 50259, 50359, 50363}));
    }

    @Test
    void timestampsAre1501TokensUpToThirtySeconds() {
        for (WhisperTokenizer t : List.of(multi(), en())) {
            int n = t.nVocab() - t.timestampBegin();
            assertEquals(WhisperTokenizer.TIMESTAMP_COUNT, n);
            assertEquals("<|0.00|>", t.decodeWithTimestamps(new int[] {t.timestampBegin()}));
            assertEquals("<|0.02|>", t.decodeWithTimestamps(new int[] {t.timestampBegin() + 1}));
            assertEquals("<|1.08|>", t.decodeWithTimestamps(new int[] {t.timestampBegin() + 54}));
            assertEquals("<|30.00|>", t.decodeWithTimestamps(new int[] {t.nVocab() - 1}));
            assertEquals(t.timestampBegin() + 750, t.specialId("<|15.00|>"));
            assertEquals(30.0, t.timestampSeconds(t.nVocab() - 1), 1e-12);
            assertTrue(t.isTimestamp(t.nVocab() - 1));
            assertFalse(t.isTimestamp(t.noTimestamps()));
            assertFalse(t.isTimestamp(t.nVocab()));
        }
    }

    @Test
    void englishOnlySpecialTokenIds() {
        WhisperTokenizer t = en();
        assertFalse(t.multilingual());
        assertEquals(51864, t.nVocab());
        assertEquals(50256, t.eot());
        assertEquals(50257, t.sot());
        assertEquals(50357, t.translate());
        assertEquals(50358, t.transcribe());
        assertEquals(50361, t.noSpeech());
        assertEquals(50362, t.noTimestamps());
        assertEquals(50363, t.timestampBegin());
        // English-only models' prompt has neither language nor task
        assertArrayEquals(new int[] {50257}, t.sotSequence("en", Task.TRANSCRIBE));
    }

    @Test
    void largeV3LayoutHasCantonese() {
        WhisperTokenizer t = WhisperTokenizer.forModel(SharedData.data("tokenizers"), 51866);
        assertEquals(100, t.numLanguages());
        assertEquals(51866, t.nVocab());
        assertEquals(50358, t.languageToken("yue"));
        assertEquals(50358, t.languageToken("Cantonese"));
        assertEquals(50359, t.translate());
        assertEquals(50360, t.transcribe());
        assertEquals(50364, t.noTimestamps());
        assertEquals(50365, t.timestampBegin());
        assertEquals(100, t.allLanguageCodes().size());
        assertEquals(100, WhisperLanguages.CODES.size());
    }

    @Test
    void languagesAndCodes() {
        WhisperTokenizer t = multi();
        assertEquals(99, t.allLanguageTokens().length);
        assertEquals(99, t.allLanguageCodes().size());
        assertEquals("en", t.languageCode(50259));
        assertEquals("zh", t.languageCode(50260));
        assertEquals("su", t.languageCode(50357));
        assertEquals(50260, t.languageToken("Mandarin"));
        assertEquals(50260, t.languageToken("chinese"));
        assertEquals(50259, t.languageToken("EN"));
        assertEquals("en", WhisperLanguages.toCode("english"));
        assertEquals("ca", WhisperLanguages.toCode("valencian"));
        assertEquals("haitian creole", WhisperLanguages.name("ht"));
        assertEquals(null, WhisperLanguages.toCode("klingon"));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> t.languageToken("klingon"));
        assertTrue(e.getMessage().contains("klingon"), e.getMessage());
        // yue exists only in the 100-language layout
        assertThrows(SynesthesiaException.class, () -> t.languageToken("yue"));
        for (int i = 0; i < t.allLanguageTokens().length; i++)
            assertEquals("<|" + t.allLanguageCodes().get(i) + "|>", t.decodeWithTimestamps(new int[] {t.allLanguageTokens()[i]}));
    }

    @Test
    void sotSequences() {
        WhisperTokenizer t = multi();
        assertArrayEquals(new int[] {50258, 50259, 50359}, t.sotSequence("en", Task.TRANSCRIBE));
        assertArrayEquals(new int[] {50258, 50261, 50358}, t.sotSequence("de", Task.TRANSLATE));
        assertArrayEquals(new int[] {50258}, t.sotSequence(null, null));
        assertArrayEquals(new int[] {50258, 50359}, t.sotSequence(null, Task.TRANSCRIBE));
        assertEquals(Task.TRANSLATE, Task.parse("Translate"));
        assertThrows(SynesthesiaException.class, () -> Task.parse("summarise"));
    }

    @Test
    void goldenPrefixesAndTokens() throws Exception {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("whisper_tiny_random", "golden.json")));
        @SuppressWarnings("unchecked") Map<String, Object> tok = (Map<String, Object>) g.get("tokens");
        int[] prefix = ints(tok.get("prefix"));
        int[] longTokens = ints(tok.get("long"));
        assertArrayEquals(prefix, multi().sotSequenceIncludingNoTimestamps("en", Task.TRANSCRIBE));
        assertArrayEquals(prefix, Arrays.copyOf(longTokens, prefix.length));
        int[] tail = Arrays.copyOfRange(longTokens, prefix.length, longTokens.length);
        assertArrayEquals(new int[] {440, 1349, 3331, 11, 291, 5046}, tail);
        // the golden's continuation is arbitrary text, not the JFK sentence
        assertEquals(" The word cases, youOL", multi().decode(tail));
        assertEquals(" The word cases, youOL", multi().decode(longTokens)); // specials skipped
        assertArrayEquals(tail, multi().encode(" The word cases, youOL"));

        Map<String, Object> gen = Json.parseObject(Files.readString(SharedData.golden("whisper_tiny_random_en", "golden.json")));
        @SuppressWarnings("unchecked") Map<String, Object> tokEn = (Map<String, Object>) gen.get("tokens");
        assertArrayEquals(ints(tokEn.get("prefix")), en().sotSequenceIncludingNoTimestamps("en", Task.TRANSCRIBE));
        assertArrayEquals(new int[] {50257, 50362}, en().sotSequenceIncludingNoTimestamps(null, null));
    }

    private static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }

    /** Text, then ids from tiktoken for multilingual.tiktoken, then for gpt2.tiktoken. */
    private static final Object[][] KNOWN = {
        {" And so my fellow Americans", new int[] {400, 370, 452, 7177, 6280}, new int[] {843, 523, 616, 5891, 3399}},
        {" And so my fellow Americans, ask not what your country can do for you",
            new int[] {400, 370, 452, 7177, 6280, 11, 1029, 406, 437, 428, 1941, 393, 360, 337, 291},
            new int[] {843, 523, 616, 5891, 3399, 11, 1265, 407, 644, 534, 1499, 460, 466, 329, 345}},
        {"Hello world", new int[] {15947, 1002}, new int[] {15496, 995}},
        {"日本語のテキスト", new int[] {27311, 31348, 2972, 22985, 15535, 40498},
            new int[] {33768, 98, 17312, 105, 45739, 252, 5641, 24336, 25084, 43302}},
        {"Ça va? Très bien!", new int[] {27707, 64, 2773, 30, 1765, 3645, 3610, 0},
            new int[] {127, 229, 64, 46935, 30, 833, 14064, 82, 275, 2013, 0}},
        {"😀👍🏽 emoji", new int[] {13125, 222, 31017, 235, 4222, 237, 121, 31595},
            new int[] {47249, 222, 41840, 235, 8582, 237, 121, 44805}},
        {"e\u0301 combining", new int[] {68, 32797, 21928}, new int[] {68, 136, 223, 19771}},
        {"  multiple   spaces\n\nnewlines\t", new int[] {220, 3866, 220, 220, 7673, 198, 198, 7686, 11045, 197},
            new int[] {220, 3294, 220, 220, 9029, 198, 198, 3605, 6615, 197}},
        {"<|endoftext|>", new int[] {27, 91, 3999, 844, 3828, 91, 29}, new int[] {27, 91, 437, 1659, 5239, 91, 29}},
        {"it's we'll they're I'd", new int[] {270, 311, 321, 603, 436, 434, 286, 1116},
            new int[] {270, 338, 356, 1183, 484, 821, 314, 1549}},
        {"1234567 3.14159", new int[] {4762, 18, 8465, 22452, 805, 13, 7271, 5211, 24},
            new int[] {10163, 2231, 3134, 513, 13, 1415, 19707}},
        {"\u00a0nbsp\u3000ideographic", new int[] {126, 254, 77, 22424, 756, 222, 482, 12295},
            new int[] {1849, 77, 24145, 5099, 222, 485, 6826}},
    };

    @Test
    void knownEncodingsMatchTiktoken() {
        for (Object[] k : KNOWN) {
            String text = (String) k[0];
            assertArrayEquals((int[]) k[1], multi().encode(text), "multilingual: " + text);
            assertArrayEquals((int[]) k[2], en().encode(text), "gpt2: " + text);
            assertEquals(text, multi().decode((int[]) k[1]));
            assertEquals(text, en().decode((int[]) k[2]));
        }
    }

    @Test
    void roundTripsRandomUnicode() {
        int[][] blocks = {
            {0x20, 0x7e}, {0x20, 0x7e}, {0x20, 0x7e}, {0x00, 0x1f}, {0x80, 0x24f}, {0x300, 0x36f}, {0x370, 0x4ff},
            {0x590, 0x6ff}, {0x900, 0x97f}, {0xe00, 0xe7f}, {0x3040, 0x30ff}, {0x4e00, 0x9fff}, {0xac00, 0xd7a3},
            {0x1f300, 0x1f6ff}, {0x2000, 0x206f}, {0x2600, 0x26ff}, {0xff00, 0xffef}, {0x10000, 0x10ffff},
        };
        String[] words = {"hello", " world", "'s", " don't", "  ", "\n\n", "\t", " 42", "...", "<|endoftext|>", "\u00a0", "\u3000", "\u200b"};
        Random rnd = new Random(20240601);
        for (int c = 0; c < 300; c++) {
            StringBuilder b = new StringBuilder();
            int parts = rnd.nextInt(12);
            for (int p = 0; p < parts; p++) {
                if (rnd.nextInt(3) == 0) { b.append(words[rnd.nextInt(words.length)]); continue; }
                int[] bl = blocks[rnd.nextInt(blocks.length)];
                for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
                    int cp = bl[0] + rnd.nextInt(bl[1] - bl[0] + 1);
                    if (cp >= 0xd800 && cp <= 0xdfff) continue; // surrogates are not text
                    b.appendCodePoint(cp);
                }
            }
            String text = b.toString();
            for (WhisperTokenizer t : List.of(multi(), en())) {
                int[] ids = t.encode(text);
                for (int id : ids) assertTrue(id >= 0 && id < t.eot(), "ordinary token expected, got " + id);
                assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), t.encoding().decodeBytes(ids));
                assertEquals(text, t.decode(ids));
            }
        }
    }

    @Test
    void decodingAPartOfAMultiByteCharacterGivesReplacementCharacters() {
        WhisperTokenizer t = multi();
        assertArrayEquals(new int[] {13125, 222}, t.encode("😀"));
        assertEquals("\uFFFD", t.decode(new int[] {13125})); // F0 9F 98 without its last byte
        assertEquals("\uFFFD", t.decode(new int[] {222}));
        assertEquals("😀", t.decode(new int[] {13125, 222}));
        // a lone surrogate encodes as U+FFFD, as tiktoken does
        assertEquals("a\uFFFDb", t.decode(t.encode("a\uD800b")));
        assertEquals("\uFFFD", t.decode(t.encode("\uDC00")));
    }

    @Test
    void decodeSkipsSpecialsAndDecodeWithTimestampsWritesThem() {
        WhisperTokenizer t = multi();
        int[] ids = {50258, 50259, 50359, 50364, 400, 50414, 50257};
        assertEquals(" And", t.decode(ids));
        assertEquals("<|startoftranscript|><|en|><|transcribe|><|0.00|> And<|1.00|><|endoftext|>", t.decodeWithTimestamps(ids));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {51865}));
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}));
        assertEquals("", t.decode(new int[] {50256})); // multilingual's empty placeholder rank
    }

    @Test
    void nonSpeechTokensMatchOpenai() {
        assertArrayEquals(new int[] {1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93,
            359, 503, 522, 542, 873, 893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627, 3246, 3253, 3268, 3536, 3846,
            3961, 4183, 4667, 6585, 6647, 7273, 9061, 9383, 10428, 10929, 11938, 12033, 12331, 12562, 13793, 14157, 14635,
            15265, 15618, 16553, 16604, 18362, 18956, 20075, 21675, 22520, 26130, 26161, 26435, 28279, 29464, 31650, 32302,
            32470, 36865, 42863, 47425, 49870, 50254}, multi().nonSpeechTokens());
        assertArrayEquals(new int[] {1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93,
            357, 366, 438, 532, 685, 705, 796, 930, 1058, 1220, 1267, 1279, 1303, 1343, 1377, 1391, 1635, 1782, 1875, 2162,
            2361, 2488, 3467, 4008, 4211, 4600, 4808, 5299, 5855, 6329, 7203, 9609, 9959, 10563, 10786, 11420, 11709, 11907,
            13163, 13697, 13700, 14808, 15306, 16410, 16791, 17992, 19203, 19510, 20724, 22305, 22935, 27007, 30109, 30420,
            33409, 34949, 40283, 40493, 40549, 47282, 49146}, en().nonSpeechTokens());
    }

    @Test
    void suppressTokensForMinusOne() {
        WhisperTokenizer t = multi();
        int[] s = t.suppressTokens(new int[] {-1});
        int[] ns = t.nonSpeechTokens();
        assertEquals(ns.length + 6, s.length);
        assertArrayEquals(ns, Arrays.copyOf(s, ns.length));
        assertArrayEquals(new int[] {50358, 50359, 50360, 50361, 50362}, Arrays.copyOfRange(s, ns.length + 1, s.length));
        assertEquals(50258, s[ns.length]);
        assertArrayEquals(new int[] {5, 50258, 50358, 50359, 50360, 50361, 50362}, t.suppressTokens(new int[] {5, 5}));
        assertArrayEquals(new int[] {50258, 50358, 50359, 50360, 50361, 50362}, t.suppressTokens(new int[0]));
    }

    @Test
    void splitToWordTokensOnSpaces() {
        // " And so my fellow Americans, ask not what your country can do for you -- (laughs) don't!" with a prompt
        int[] tokens = {50258, 50259, 50359, 50364, 400, 370, 452, 7177, 6280, 11, 1029, 406, 437, 428, 1941, 393, 360,
            337, 291, 1350, 522, 3608, 8, 500, 380, 0, 50418, 50257};
        WhisperTokenizer.WordTokens w = multi().splitToWordTokens(tokens, "en");
        assertEquals(List.of("<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|0.00|>", " And", " so", " my",
                " fellow", " Americans", ",", " ask", " not", " what", " your", " country", " can", " do", " for", " you",
                " --", " (laughs", ")", " don't", "!", "<|1.08|>", "<|endoftext|>"), w.words());
        assertArrayEquals(new int[] {522, 3608}, w.tokens().get(20));
        assertArrayEquals(new int[] {500, 380}, w.tokens().get(22));
        assertEquals(26, w.tokens().size());
    }

    @Test
    void splitToWordTokensOnCodePointsForJapanese() {
        int[] tokens = {50258, 50259, 50359, 50364, 38088, 1231, 24486, 1543, 13125, 222, 220, 18413, 31375, 12144,
            39613, 3384, 50418, 50257};
        WhisperTokenizer.WordTokens w = multi().splitToWordTokens(tokens, "ja");
        assertEquals(List.of("<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|0.00|>", "こんにちは", "、", "世界",
                "。", "😀", " ", "東", "京", "タ", "ワ", "ー", "<|1.08|>", "<|endoftext|>"), w.words());
        assertArrayEquals(new int[] {13125, 222}, w.tokens().get(8));
        // bytes that are invalid in the whole text stay as U+FFFD words (values from openai's split_tokens_on_unicode)
        assertEquals(List.of("a", "\uFFFD"), multi().splitToWordTokens(new int[] {64, 13125}, "ja").words());
        assertEquals(List.of("\uFFFD", "😀"), multi().splitToWordTokens(new int[] {13125, 13125, 222}, "zh").words());
        assertEquals(List.of("\uFFFD", "a", "\uFFFD"), multi().splitToWordTokens(new int[] {13125, 64, 222}, "zh").words());
    }

    @Test
    void longPiecesMatchTiktoken() {
        // tiktoken 0.14: "a"*3000 -> 750 x 16425 ("aaaa"); "ab"*700 -> 700 x 455; "東京タワー"*4000 -> the 5 ids x 4000
        int[] a = multi().encode("a".repeat(3000));
        assertEquals(750, a.length);
        assertTrue(Arrays.stream(a).allMatch(x -> x == 16425));
        int[] ab = multi().encode("ab".repeat(700));
        assertEquals(700, ab.length);
        assertTrue(Arrays.stream(ab).allMatch(x -> x == 455));
        String cjk = "東京タワー".repeat(4000); // one 60 kB piece
        long t0 = System.nanoTime();
        int[] ids = multi().encode(cjk);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertEquals(20000, ids.length);
        int[] five = {18413, 31375, 12144, 39613, 3384};
        for (int i = 0; i < ids.length; i++) assertEquals(five[i % 5], ids[i], "id " + i);
        assertTrue(ms < 3000, "a 60 kB piece took " + ms + " ms");
    }

    @Test
    void encodesATranscriptQuickly() {
        String sentence = " And so my fellow Americans, ask not what your country can do for you; ask what you can do for your country.";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 2000; i++) b.append(sentence).append(i);
        String text = b.toString();
        long t0 = System.nanoTime();
        int[] ids = multi().encode(text);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertEquals(text, multi().decode(ids));
        assertTrue(ms < 5000, "encoding 230 kB took " + ms + " ms");
    }

    /**
     * Cross-check with an independent copy of the vocabulary: whisper.cpp's ggml model header lists each token's
     * bytes by id (int32 length + bytes after the hyper-parameters and mel filters).
     */
    @Test
    void ranksAgreeWithWhisperCppVocabulary() throws Exception {
        for (String name : List.of("for-tests-ggml-tiny.bin", "for-tests-ggml-tiny.en.bin")) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(SharedData.data("configs/whisper-ggml-headers/" + name)))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x67676d6c, b.getInt());
            int nVocab = b.getInt();
            b.position(4 + 11 * 4);
            int nMel = b.getInt(), nFft = b.getInt();
            b.position(b.position() + 4 * nMel * nFft);
            int count = b.getInt();
            WhisperTokenizer t = WhisperTokenizer.forModel(SharedData.data("tokenizers"), nVocab);
            assertEquals(50257, count);
            int exact = 0;
            for (int id = 0; id < count; id++) {
                byte[] tok = new byte[b.getInt()];
                b.get(tok);
                // whisper.cpp stores the tokens as text: bytes that are not complete UTF-8 became U+FFFD there
                byte[] ours = id < t.eot() ? t.encoding().tokenBytes(id) : t.decodeWithTimestamps(new int[] {id}).getBytes(StandardCharsets.UTF_8);
                assertArrayEquals(tok, Utf8.decode(ours).getBytes(StandardCharsets.UTF_8), name + " token " + id);
                if (Arrays.equals(tok, ours)) exact++;
            }
            assertEquals(name.contains(".en") ? 50256 : 50257, t.eot());
            assertTrue(exact > 48_000, name + ": only " + exact + " tokens byte-identical");
        }
    }

    @Test
    void tooSmallVocabulariesAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path small = TiktokenFiles.writeRanks(dir, "multilingual.tiktoken", List.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperTokenizer.forModel(dir, 51865));
        assertTrue(e.getMessage().contains("n_vocab 51865"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> WhisperTokenizer.forModel(dir, 50000));
        assertTrue(e.getMessage().contains("n_vocab 50000"), e.getMessage());
        assertTrue(Files.exists(small));
    }
}
