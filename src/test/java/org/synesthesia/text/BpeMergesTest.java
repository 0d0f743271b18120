package org.synesthesia.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.util.SynesthesiaException;

/** The shared byte-level BPE pieces on small hand-made tables. */
class BpeMergesTest {
    private static List<String[]> pairs(String... merges) {
        return java.util.Arrays.stream(merges).map(m -> m.split(" ")).toList();
    }

    @Test
    void lowestRankMergesFirstAndEveryOccurrenceAtOnce() {
        BpeMerges m = new BpeMerges(pairs("a b", "ab ab", "b c", "a b"), "");
        // a b a b -> ab ab (both occurrences of rank 0) -> abab (rank 1)
        assertEquals(List.of("abab"), m.apply("abab"));
        // a b c: "a b" (0) beats "b c" (2)
        assertEquals(List.of("ab", "c"), m.apply("abc"));
        assertEquals(List.of("x"), m.apply("x"));
        assertEquals(List.of("a b", "ab ab", "b c", "a b"), m.asStrings());
        assertEquals(4, m.size());
    }

    @Test
    void endOfWordMarksTheLastSymbol() {
        BpeMerges m = new BpeMerges(pairs("a b</w>", "a b"), "</w>");
        assertEquals(List.of("ab</w>"), m.apply("ab"));
        assertEquals(List.of("ab", "c</w>"), m.apply("abc"));
    }

    @Test
    void byteLevelTableRoundTrips() {
        for (int b = 0; b < 256; b++) assertEquals(b, ByteLevel.byteFor(ByteLevel.charFor(b)));
        assertEquals("Ġhello", ByteLevel.encode(" hello"));
        assertArrayEquals(" é".getBytes(java.nio.charset.StandardCharsets.UTF_8), ByteLevel.bytes(ByteLevel.encode(" é")));
        assertNull(ByteLevel.bytes("\u4e00"));
        assertEquals(" é", ByteLevel.decode(ByteLevel.encode(" é")));
        // an encoded surrogate: three U+FFFD, as Python's bytes.decode("utf-8", "replace")
        String surrogate = "" + ByteLevel.charFor(0xed) + ByteLevel.charFor(0xa0) + ByteLevel.charFor(0x80);
        assertEquals("\uFFFD\uFFFD\uFFFD", ByteLevel.decode(surrogate));
        assertThrows(IllegalStateException.class, () -> ByteLevel.decode("\u4e00"));
    }

    @Test
    void vocabBothWays() {
        Vocab v = new Vocab(Map.of("a", 0, "b", 2));
        assertEquals(3, v.size());
        assertEquals(2, v.id("b"));
        assertNull(v.id("c"));
        assertEquals("b", v.token(2));
        assertNull(v.byId().get(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.token(1));
        assertTrue(e.getMessage().contains("token id 1"), e.getMessage());
    }

    @Test
    void filesGiveOneLineErrors(@TempDir Path dir) throws Exception {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> BpeFiles.readVocab(dir.resolve("vocab.json")));
        assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("no such file"), e.getMessage());
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{\"a\": ");
        e = assertThrows(SynesthesiaException.class, () -> BpeFiles.readVocab(notJson));
        assertTrue(e.getMessage().startsWith(notJson + ": not a vocabulary"), e.getMessage());
        Path fraction = Files.writeString(dir.resolve("frac.json"), "{\"a\": 1.5}");
        e = assertThrows(SynesthesiaException.class, () -> BpeFiles.readVocab(fraction));
        assertTrue(e.getMessage().contains("'a' has a non-integer id"), e.getMessage());
        assertEquals(Map.of("a", 1, "Ġb", 0), BpeFiles.readVocab(Files.writeString(dir.resolve("ok.json"), "{\"a\": 1, \"Ġb\": 0}")));
        List<String> lines = List.of("#version: 0.2", "a b", "ab  c ", "abc");
        assertEquals(List.of("a b", "ab c"), new BpeMerges(BpeFiles.parseMerges("m.txt", lines, 1, 3), "").asStrings());
        e = assertThrows(SynesthesiaException.class, () -> BpeFiles.parseMerges("m.txt", lines, 1, 4));
        assertEquals("m.txt: line 4 is not a merge of two symbols", e.getMessage());
    }
}
