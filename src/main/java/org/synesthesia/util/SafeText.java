package org.synesthesia.util;

/**
 * Text taken from an untrusted file, made safe to print in a one-line message: control characters (C0, DEL, C1,
 * which include terminal escape sequences), bidirectional overrides, unpaired surrogates and U+FFFD (what a
 * malformed UTF-8 byte decodes to) become visible escapes ({@code \n}, {@code \x1b}, {@code \u202e}), and long
 * text is cut to a prefix followed by {@code ...}.
 */
public final class SafeText {
    private SafeText() {}

    /** How many characters of a name, key or value quoted from a file a message shows. */
    public static final int NAME_LIMIT = 200;

    /** How many characters of a whole error message are kept; with the "..." of a cut one, a message is at most 2000. */
    public static final int MESSAGE_LIMIT = 1997;

    /** {@code s} escaped and cut to {@link #NAME_LIMIT} characters (then {@code ...}); for names, keys and values. */
    public static String quote(Object s) {
        return clean(String.valueOf(s), NAME_LIMIT);
    }

    /**
     * {@code s} with every unsafe character escaped; when the escaped text is longer than {@code max}, its first
     * {@code max} characters followed by {@code ...}.
     */
    public static String clean(String s, int max) {
        if (s == null) return "null";
        StringBuilder b = null;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String esc = unsafe(s, i) ? escape(c) : null;
            if (esc == null && b == null) {
                if (i >= max) return s.substring(0, max) + "...";
                continue;
            }
            if (b == null) b = new StringBuilder(Math.min(n + 16, max + 16)).append(s, 0, i);
            if (esc == null) b.append(c);
            else b.append(esc);
            if (b.length() > max) return b.substring(0, max) + "...";
        }
        return b == null ? s : b.toString();
    }

    private static boolean unsafe(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
        if (c == 0xfffd || c == 0x2028 || c == 0x2029) return true;
        if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c) return true;
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        };
    }
}
