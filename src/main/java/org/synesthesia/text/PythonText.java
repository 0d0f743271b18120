package org.synesthesia.text;

/** Python's {@code str} character classes where the tokenizers' references rely on them and Java's differ. */
public final class PythonText {
    private PythonText() {}

    /** Python's {@code str.isspace()} / regex {@code \s} on str: bidi classes WS, B, S and category Zs. */
    public static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }
}
