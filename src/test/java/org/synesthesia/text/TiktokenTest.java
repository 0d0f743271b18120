package org.synesthesia.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.TiktokenFiles;
import org.synesthesia.util.SynesthesiaException;

/** The tiktoken encoding: merge order, the heap merge against the scan merge, and {@code .tiktoken} file errors. */
class TiktokenTest {
    private static Tiktoken multilingual;

    static synchronized Tiktoken multilingual() {
        if (multilingual == null) {
            Path file = SharedData.data("tokenizers/multilingual.tiktoken");
            multilingual = new Tiktoken("multilingual.tiktoken", Tiktoken.readRanks(file), List.of("<|endoftext|>"), ByteLevel.GPT2_PATTERN);
        }
        return multilingual;
    }

    @Test
    void heapMergeEqualsScanMerge() {
        Random rnd = new Random(77);
        Tiktoken enc = multilingual();
        for (int t = 0; t < 200; t++) {
            // long pieces: random letters from a few scripts, or raw random bytes (merges act on bytes)
            byte[] piece;
            if (t % 3 == 0) {
                piece = new byte[1 + rnd.nextInt(600)];
                rnd.nextBytes(piece);
            } else {
                StringBuilder b = new StringBuilder();
                String alphabet = t % 3 == 1 ? "etaoinshrdlucmfwypvbgkqjxz" : "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年";
                for (int i = rnd.nextInt(400); i >= 0; i--) b.append(alphabet.charAt(Math.min(alphabet.length() - 1, (int) Math.abs(rnd.nextGaussian() * 6))));
                piece = b.toString().getBytes(StandardCharsets.UTF_8);
            }
            assertArrayEquals(enc.mergeByScan(piece), enc.mergeByHeap(piece), "piece " + t + " of " + piece.length + " bytes");
        }
    }

    @Test
    void mergesLowestRankFirst(@TempDir Path dir) throws Exception {
        Path p = TiktokenFiles.writeRanks(dir, "tiny.tiktoken", List.of("ab".getBytes(), "bc".getBytes(), "abc".getBytes(), "cd".getBytes(), " a".getBytes()));
        Tiktoken t = new Tiktoken("tiny", Tiktoken.readRanks(p), List.of("<|end|>"), ByteLevel.GPT2_PATTERN);
        assertEquals(261, t.nRanks());
        assertEquals(262, t.nVocab());
        // a b c d -> (ab 256) c d -> (abc 258) d; "cd" (259) never gets its turn
        assertArrayEquals(new int[] {258, 'd'}, t.encodeOrdinary("abcd"));
        // b c d -> (bc 257) d
        assertArrayEquals(new int[] {257, 'd'}, t.encodeOrdinary("bcd"));
        // " abc" is one piece: " a" (260) is merged last, after ab and bc are blocked
        assertArrayEquals(new int[] {' ', 258}, t.encodeOrdinary(" abc"));
        assertArrayEquals(new int[] {260, 'x'}, t.encodeOrdinary(" ax"));
        assertArrayEquals(new int[] {'<', '|', 'e', 'n', 'd', '|', '>'}, t.encodeOrdinary("<|end|>"));
        assertEquals(261, t.specialId("<|end|>"));
        assertEquals("x<|end|>", t.decode(new int[] {'x', 261}));
    }

    @Test
    void badRankFilesAreOneLineErrors(@TempDir Path dir) throws Exception {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(dir.resolve("missing.tiktoken")));
        assertTrue(e.getMessage().contains("missing.tiktoken") && e.getMessage().contains("no such file"), e.getMessage());

        Path bad = dir.resolve("bad.tiktoken");
        Files.writeString(bad, "IQ== 0\n!!!notbase64 1\n");
        e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(bad));
        assertTrue(e.getMessage().contains("bad.tiktoken") && e.getMessage().contains("line 2"), e.getMessage());

        Path gap = dir.resolve("gap.tiktoken");
        Files.writeString(gap, "IQ== 0\nIg== 2\n");
        e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(gap));
        assertTrue(e.getMessage().contains("rank 2 outside 0..1"), e.getMessage()); // a gap leaves some rank past the token count

        Path dup = dir.resolve("dup.tiktoken");
        Files.writeString(dup, "IQ== 0\nIg== 0\n");
        e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(dup));
        assertTrue(e.getMessage().contains("rank 0 given twice"), e.getMessage());

        // found by the fuzzer (issue 13): the same token bytes under two ranks were an IllegalArgumentException with a trace
        Path twice = dir.resolve("twice.tiktoken");
        Files.writeString(twice, "IQ== 0\nIg== 1\nIQ== 2\n");
        e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(twice));
        assertTrue(e.getMessage().contains("twice.tiktoken") && e.getMessage().contains("line 3") && e.getMessage().contains("same bytes as rank 0"), e.getMessage());

        Path empty = dir.resolve("empty.tiktoken");
        Files.writeString(empty, "\n");
        e = assertThrows(SynesthesiaException.class, () -> Tiktoken.readRanks(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path notByteLevel = dir.resolve("partial.tiktoken");
        Files.writeString(notByteLevel, "IQ== 0\nIg== 1\n");
        e = assertThrows(SynesthesiaException.class, () -> new Tiktoken("partial.tiktoken", Tiktoken.readRanks(notByteLevel), List.of(), ByteLevel.GPT2_PATTERN));
        assertTrue(e.getMessage().contains("has no rank"), e.getMessage());
    }
}
