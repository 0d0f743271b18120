package org.synesthesia.whisper;

/** Python {@code str} behaviours that Whisper's text handling depends on, for Java strings. */
final class PyText {
    private PyText() {}

    /** Python's {@code str.isspace()} for one code point: Unicode White_Space plus the separators U+001C..U+001F. */
    static boolean isSpace(int cp) {
        if (cp == 0x85 || (cp >= 0x1c && cp <= 0x1f)) return true;
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Python's {@code s.strip()}: removes leading and trailing {@link #isSpace} characters. */
    static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && isSpace(s.codePointAt(a))) a += Character.charCount(s.codePointAt(a));
        while (b > a && isSpace(s.codePointBefore(b))) b -= Character.charCount(s.codePointBefore(b));
        return s.substring(a, b);
    }

    /** Python's {@code s.split()}: the non-empty runs between {@link #isSpace} characters. */
    static java.util.List<String> split(String s) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int i = 0, n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
            int start = i;
            while (i < n && !isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
            if (i > start) out.add(s.substring(start, i));
        }
        return out;
    }
}
