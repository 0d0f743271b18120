package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** Token ids identical to openai/CLIP's SimpleTokenizer (golden clip_tokenizer, 31 prompts), from every vocabulary source. */
class ClipTokenizerTest {
    static List<Map<String, Object>> cases;
    static ClipTokenizer fromGz;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("clip_tokenizer", "clip_tokenizer.json")));
        cases = (List<Map<String, Object>>) g.get("cases");
        fromGz = ClipTokenizer.fromBpeFile(SharedData.data("tokenizers/bpe_simple_vocab_16e6.txt.gz"));
    }

    static int[] ints(Object list) {
        List<?> l = (List<?>) list;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).intValue();
        return a;
    }

    @Test
    void everyGoldenCaseMatches() {
        assertEquals(31, cases.size());
        for (Map<String, Object> c : cases) {
            String text = (String) c.get("text");
            String what = "case " + Json.write(text);
            assertEquals(c.get("ftfy_fix_text"), TextFixer.fixText(text), what + ": ftfy");
            assertEquals(c.get("cleaned"), ClipTokenizer.clean(text), what + ": cleaned");
            assertEquals(c.get("bpe_tokens"), fromGz.bpeTokens(text), what + ": bpe tokens");
            int[] ids = fromGz.encode(text);
            assertArrayEquals(ints(c.get("ids")), ids, what + ": ids");
            assertArrayEquals(ints(c.get("ids77_pad_eos_sd1")), fromGz.encodeForModel(text, ClipTokenizer.END_OF_TEXT), what + ": SD1 ids");
            assertArrayEquals(ints(c.get("ids77_pad_zero_clip")), fromGz.encodeForModel(text, ClipTokenizer.PAD_ZERO), what + ": SD2 ids");
            assertEquals(c.get("decoded"), fromGz.decode(ids), what + ": decoded");
        }
    }

    @Test
    void huggingFaceFilesGiveTheSameIdsAndTheirPadToken() {
        ClipTokenizer sd15 = ClipTokenizer.fromFolder(SharedData.data("tokenizers/sd15"));
        ClipTokenizer sd21 = ClipTokenizer.fromFolder(SharedData.data("tokenizers/sd21"));
        assertEquals(ClipTokenizer.END_OF_TEXT, sd15.padId());
        assertEquals(0, sd21.padId());
        assertEquals(49408, sd15.vocabSize());
        for (Map<String, Object> c : cases) {
            String text = (String) c.get("text");
            assertArrayEquals(ints(c.get("ids")), sd15.encode(text), "sd15 " + text);
            assertArrayEquals(ints(c.get("ids77_pad_eos_sd1")), sd15.encodeForModel(text), "sd15 padded " + text);
            assertArrayEquals(ints(c.get("ids77_pad_zero_clip")), sd21.encodeForModel(text), "sd21 padded " + text);
        }
    }

    @Test
    void textFixes() {
        assertEquals("fi ffl IJ", TextFixer.fixText("\ufb01 \ufb04 \u0132"));
        assertEquals("ABC 123 ", TextFixer.fixText("\uff21\uff22\uff23 \uff11\uff12\uff13\u3000"));
        assertEquals("'a' \"b\"", TextFixer.fixText("\u2018a\u2019 \u201cb\u201d"));
        assertEquals("caf\u00e9", TextFixer.fixText("cafe\u0301")); // NFC
        assertEquals("caf\u00e9", TextFixer.fixText("caf\u00c3\u00a9")); // UTF-8 read as Latin-1
        assertEquals("\u20ac5", TextFixer.fixText("\u00e2\u201a\u00ac5")); // read as Windows-1252
        assertEquals("na\u00efve caf\u00e9 \u2014 \u00fcber", TextFixer.fixText("na\u00efve caf\u00e9 \u2014 \u00fcber")); // legitimate text untouched
        assertEquals("a\nb\nc", TextFixer.fixText("a\r\nb\u2028c"));
        assertEquals("ab", TextFixer.fixText("a\u0000\u200eb".replace("\u200e", "\ufeff")));
        assertEquals("x", TextFixer.fixText("\u001b[31mx\u001b[0m"));
        assertEquals("\u20ac", TextFixer.fixText("\u0080")); // C1 control as Windows-1252
        assertEquals("\u00c9t\u00e9 &", TextFixer.fixText("&EACUTE;t&eacute; &amp;"));
        assertEquals("&amp; <b>", TextFixer.fixText("&amp; <b>")); // a '<' turns entity decoding off, as in ftfy
    }

    @Test
    void htmlUnescapeFollowsPython() {
        assertEquals("< > & \u00e9 \u20ac \ufffd \u00a9x", HtmlEntities.unescape("&lt; &gt &amp; &#233; &#x80; &#0; &copyx"));
        assertEquals("&nosuch; &", HtmlEntities.unescape("&nosuch; &"));
        assertEquals("\ufffd", HtmlEntities.unescape("&#99999999999;"));
        assertEquals("", HtmlEntities.unescape("&#1;"));
    }

    @Test
    void longPromptsAreTruncatedTo77() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) b.append("cat ");
        int[] ids = fromGz.encodeForModel(b.toString());
        assertEquals(77, ids.length);
        assertEquals(ClipTokenizer.START_OF_TEXT, ids[0]);
        assertEquals(ClipTokenizer.END_OF_TEXT, ids[76]);
        assertEquals(100, fromGz.encode(b.toString()).length);
        int[] empty = fromGz.encodeForModel("", 0);
        assertEquals(ClipTokenizer.START_OF_TEXT, empty[0]);
        assertEquals(ClipTokenizer.END_OF_TEXT, empty[1]);
        assertEquals(0, empty[2]);
    }

    @TempDir Path tmp;

    @Test
    void badFilesAreOneLineErrors() throws IOException {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipTokenizer.fromBpeFile(tmp.resolve("none.gz")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        Path notGz = Files.writeString(tmp.resolve("bad.gz"), "hello");
        e = assertThrows(SynesthesiaException.class, () -> ClipTokenizer.fromBpeFile(notGz));
        assertTrue(e.getMessage().startsWith(notGz.toString()), e.getMessage());
        Path dir = Files.createDirectories(tmp.resolve("tok"));
        Files.copy(SharedData.data("tokenizers/sd15/vocab.json"), dir.resolve("vocab.json"));
        List<String> merges = new ArrayList<>(Files.readAllLines(SharedData.data("tokenizers/sd15/merges.txt")));
        Files.write(dir.resolve("merges.txt"), merges.subList(0, 1000));
        e = assertThrows(SynesthesiaException.class, () -> ClipTokenizer.fromFolder(dir));
        assertTrue(e.getMessage().contains("merges.txt") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
