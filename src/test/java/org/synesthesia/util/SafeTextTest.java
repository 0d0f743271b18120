package org.synesthesia.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Untrusted text in messages (issue 13 item 8) and JSON's nesting and duplicate-key limits (items 4, 10). */
class SafeTextTest {
    @TempDir Path dir;

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("a\\x1b[31mb\\nc\\td\\x9be\\u202ef\\ufffd", SafeText.quote("a\u001b[31mb\nc\td\u009be\u202ef\ufffd"));
        assertEquals("plain ünïcode 名前 😀", SafeText.quote("plain ünïcode 名前 😀"));
        assertEquals("x\\ud800y", SafeText.quote("x\ud800y"));
    }

    @Test
    void malformedUtf8BytesAreVisible() {
        String decoded = new String(new byte[] {'a', (byte) 0xff, (byte) 0xc0, 'b'}, StandardCharsets.UTF_8);
        assertEquals("a\\ufffd\\ufffdb", SafeText.quote(decoded));
    }

    @Test
    void longTextIsCut() {
        String q = SafeText.quote("n".repeat(10_000));
        assertEquals(SafeText.NAME_LIMIT + 3, q.length());
        assertTrue(q.endsWith("..."));
        assertEquals(SafeText.NAME_LIMIT + 3, SafeText.quote("\u0001".repeat(10_000)).length());
    }

    @Test
    void exceptionMessagesAreOnePrintableLine() {
        SynesthesiaException e = SynesthesiaException.inFile("f.gguf", "key \u001b]0;title\u0007 " + "x".repeat(100_000));
        assertTrue(e.getMessage().startsWith("f.gguf: key \\x1b]0;title\\x07 xxx"), e.getMessage().substring(0, 40));
        assertEquals(SafeText.MESSAGE_LIMIT + 3, e.getMessage().length());
        assertEquals("f: plain message", SynesthesiaException.inFile("f", "plain message").getMessage());
    }

    @Test
    void jsonNestingIsLimited() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("[".repeat(100_000) + "]".repeat(100_000)));
        assertTrue(e.getMessage().contains("nest more than 512 levels deep"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)));
    }

    @Test
    void deepConfigIsOneLine() throws Exception {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ReadFile.jsonObject(f, "config"));
        assertTrue(e.getMessage().contains("nest more than 512"), e.getMessage());
    }

    @Test
    void duplicateKeysOnlyWhenAsked() {
        assertEquals(2L, Json.parseObject("{\"a\":1,\"a\":2}").get("a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", true));
        assertTrue(e.getMessage().contains("duplicate key \"c\""), e.getMessage());
        assertEquals(1L, Json.parseObject("{\"a\":{\"c\":1},\"b\":{\"c\":1}}", true).size() - 1);
    }
}
