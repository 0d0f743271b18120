package org.synesthesia.text;

/** UTF-8 decoding with Python's replacement rule, as the tokenizers' references decode token bytes. */
public final class Utf8 {
    private Utf8() {}

    /**
     * UTF-8 to text replacing each maximal subpart of an ill-formed sequence by one U+FFFD (the Unicode
     * recommended practice, which Python's {@code bytes.decode("utf-8", "replace")} follows; Java's own decoder
     * replaces e.g. an encoded surrogate {@code ED A0 80} by one U+FFFD where Python writes three).
     */
    public static String decode(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int i = 0, n = b.length;
        while (i < n) {
            int b0 = b[i] & 0xff;
            if (b0 < 0x80) { out.append((char) b0); i++; continue; }
            int need, lo = 0x80, hi = 0xbf, cp;
            if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; }
            else if (b0 >= 0xe0 && b0 <= 0xef) {
                need = 2; cp = b0 & 0x0f;
                if (b0 == 0xe0) lo = 0xa0; else if (b0 == 0xed) hi = 0x9f; // no overlongs, no surrogates
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                need = 3; cp = b0 & 0x07;
                if (b0 == 0xf0) lo = 0x90; else if (b0 == 0xf4) hi = 0x8f; // no overlongs, nothing above U+10FFFF
            } else { out.append('\uFFFD'); i++; continue; }
            int j = i + 1, k = 0;
            for (; k < need && j < n; k++, j++) {
                int c = b[j] & 0xff;
                if (c < lo || c > hi) break;
                cp = (cp << 6) | (c & 0x3f);
                lo = 0x80; hi = 0xbf; // only the second byte has a narrowed range
            }
            if (k == need) out.appendCodePoint(cp);
            else out.append('\uFFFD'); // bytes i..j-1 are a maximal subpart
            i = j;
        }
        return out.toString();
    }

}
