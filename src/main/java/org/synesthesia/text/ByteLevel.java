package org.synesthesia.text;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;

/**
 * Byte-level BPE pieces shared by CLIP's and GPT-2/RoBERTa's tokenizers: GPT-2's byte-to-unicode table (printable
 * Latin-1 bytes stand for themselves, the other 68 bytes for U+0100 upwards in byte order) and the greedy merge loop
 * (repeatedly merge every occurrence of the adjacent pair with the lowest rank).
 */
public final class ByteLevel {
    private ByteLevel() {}

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable(b) ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    }

    /** The character standing for byte {@code b} (0..255). */
    public static char charFor(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The byte a table character stands for, or -1. */
    public static int byteFor(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The 256 table characters in the reference's dictionary order: the printable bytes first, then the rest. */
    public static List<Character> alphabet() {
        List<Character> out = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) if (printable(b)) out.add(BYTE_TO_CHAR[b]);
        for (int b = 0; b < 256; b++) if (!printable(b)) out.add(BYTE_TO_CHAR[b]);
        return out;
    }

    /** The UTF-8 bytes of {@code piece} as table characters. */
    public static String encode(String piece) {
        byte[] utf8 = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(utf8.length);
        for (byte x : utf8) b.append(BYTE_TO_CHAR[x & 0xff]);
        return b.toString();
    }

    /**
     * Merges {@code symbols} by rank ({@code ranks} keys are {@code "first second"}): while some adjacent pair has a
     * rank, every non-overlapping occurrence (left to right) of the lowest-ranked pair becomes one symbol.
     */
    public static List<String> merge(List<String> symbols, Map<String, Integer> ranks) {
        List<String> word = new ArrayList<>(symbols);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null, second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        return word;
    }
}
