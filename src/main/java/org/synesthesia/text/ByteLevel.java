package org.synesthesia.text;

import java.util.Arrays;
import java.util.List;
import java.util.ArrayList;

/**
 * GPT-2's byte-level text form, shared by the CLIP, RoBERTa and Whisper tokenizers: the byte-to-unicode table
 * (printable Latin-1 bytes stand for themselves, the other 68 bytes for U+0100 upwards in byte order) in which
 * {@code vocab.json} and {@code merges.txt} spell their tokens, and GPT-2's pre-tokeniser pattern.
 */
public final class ByteLevel {
    private ByteLevel() {}

    /**
     * GPT-2's pre-tokeniser (English contractions, optional space + letters / digits / other symbols, whitespace
     * runs), used by RoBERTa and by Whisper for both its vocabularies; compile it with
     * {@link java.util.regex.Pattern#UNICODE_CHARACTER_CLASS} so {@code \s} is Unicode White_Space.
     */
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

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
    static int byteFor(char c) {
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

    /** The bytes that the table characters of {@code symbols} stand for, or null when one stands for none. */
    public static byte[] bytes(CharSequence symbols) {
        byte[] out = new byte[symbols.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteFor(symbols.charAt(i));
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }

    /**
     * The text that table characters {@code symbols} spell: their bytes decoded as UTF-8, ill-formed sequences as
     * U+FFFD ({@link Utf8}). A character outside the table is an {@link IllegalStateException} (a broken vocabulary).
     */
    public static String decode(CharSequence symbols) {
        byte[] out = new byte[symbols.length()];
        for (int i = 0; i < out.length; i++) {
            char c = symbols.charAt(i);
            int b = byteFor(c);
            if (b < 0) throw new IllegalStateException("vocabulary symbol character U+" + Integer.toHexString(c) + " is not a byte");
            out[i] = (byte) b;
        }
        return Utf8.decode(out);
    }
}
