package org.synesthesia.clip;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The parts of {@code ftfy.fix_text} (ftfy 6.1.1, default settings) that CLIP's tokenizer relies on, repeated until
 * the text stops changing: HTML entities (only when the text has no '&lt;'), mojibake repair, C1 controls read as
 * Windows-1252, Latin ligatures spelled out, full-width / half-width forms to their normal width, curly quotes
 * straightened, line breaks unified, lone surrogates replaced, terminal escapes and control characters removed,
 * then NFC.
 *
 * <p>Mojibake repair covers the common case: UTF-8 text that was decoded as Latin-1 or Windows-1252, possibly more
 * than once (e.g. {@code "doesnÃ¢â‚¬â„¢t"}). When the text shows a UTF-8 lead character followed by a
 * continuation character in those encodings, the whole text is re-encoded (Latin-1, then Windows-1252) and decoded
 * as UTF-8 if that succeeds; otherwise each complete mis-decoded sequence is repaired in place. ftfy's other code
 * pages (1250, 1251, 1253, 1254, ISO-8859-2, MacRoman, CP437) and its lossy-sequence heuristics are not reproduced.
 */
final class TextFixer {
    private TextFixer() {}

    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");

    /** {@code ftfy.fix_text(text)}, within the scope described above. */
    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int br = text.indexOf('\n', pos) + 1;
            if (br == 0) br = text.length();
            String segment = text.substring(pos, br);
            if (segment.indexOf('<') >= 0) unescapeHtml = false;
            out.append(fixSegment(segment, unescapeHtml));
            pos = br;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) text = HtmlEntities.unescapeFtfy(text);
            text = fixEncoding(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = ANSI_ESCAPE.matcher(text).replaceAll("");
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) return text;
        }
    }

    // ---- mojibake ----

    /** The byte a character stands for in sloppy Windows-1252 (Latin-1 plus 1252's 0x80..0x9F), or -1. */
    static int sloppy1252Byte(char c) {
        if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) return c;
        if (c <= 0x9f) {
            // C1 controls: only the five bytes 1252 leaves undefined keep them
            return (c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d) ? c : -1;
        }
        for (int i = 0; i < 32; i++) if (HtmlEntities.CP1252_80_9F[i] == c) return 0x80 + i;
        return -1;
    }

    private static boolean isUtf8Lead(char c) {
        return c >= 0xc2 && c <= 0xf4;
    }

    /** A character that is a UTF-8 continuation byte (0x80..0xBF) as read by Latin-1 or Windows-1252. */
    private static boolean isUtf8Continuation(char c) {
        if (c >= 0x80 && c <= 0xbf) return true;
        int b = sloppy1252Byte(c);
        return b >= 0x80 && b <= 0xbf;
    }

    /** Whether the text shows a UTF-8 lead character directly followed by a continuation character. */
    static boolean looksLikeMojibake(String text) {
        for (int i = 0; i + 1 < text.length(); i++)
            if (isUtf8Lead(text.charAt(i)) && isUtf8Continuation(text.charAt(i + 1))) return true;
        return false;
    }

    static String fixEncoding(String text) {
        while (true) {
            String fixed = fixEncodingOnce(text);
            if (fixed.equals(text)) return text;
            text = fixed;
        }
    }

    private static String fixEncodingOnce(String text) {
        boolean ascii = true;
        for (int i = 0; i < text.length() && ascii; i++) ascii = text.charAt(i) < 0x80;
        if (ascii || !looksLikeMojibake(text)) return text;
        for (int encoding = 0; encoding < 2; encoding++) {
            byte[] bytes = new byte[text.length()];
            boolean ok = true;
            for (int i = 0; i < text.length() && ok; i++) {
                char c = text.charAt(i);
                int b = encoding == 0 ? (c <= 0xff ? c : -1) : sloppy1252Byte(c);
                if (b < 0) ok = false;
                else bytes[i] = (byte) b;
            }
            if (!ok) continue;
            String decoded = decodeUtf8Strict(bytes, 0, bytes.length);
            if (decoded != null) return decoded;
        }
        return decodeInconsistentUtf8(text);
    }

    /** Repairs each complete mis-decoded UTF-8 sequence (lead + the right number of continuations) on its own. */
    private static String decodeInconsistentUtf8(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
            if (len > 0 && i + len <= text.length()) {
                byte[] b = new byte[len];
                b[0] = (byte) c;
                boolean ok = true;
                for (int k = 1; k < len && ok; k++) {
                    char d = text.charAt(i + k);
                    int v = d >= 0x80 && d <= 0xbf ? d : sloppy1252Byte(d);
                    ok = v >= 0x80 && v <= 0xbf;
                    b[k] = (byte) v;
                }
                String dec = ok ? decodeUtf8Strict(b, 0, len) : null;
                if (dec != null) {
                    out.append(dec);
                    i += len;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String decodeUtf8Strict(byte[] b, int off, int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer cb = d.decode(ByteBuffer.wrap(b, off, len));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ---- character fixes ----

    /** C1 control characters (U+0080..U+009F) as the Windows-1252 characters of those bytes. */
    static String fixC1Controls(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (b == null) b = new StringBuilder(text.substring(0, i));
                b.append(HtmlEntities.CP1252_80_9F[c - 0x80]);
            } else if (b != null) b.append(c);
        }
        return b == null ? text : b.toString();
    }

    static String fixLatinLigatures(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\u0132' -> b.append("IJ");
                case '\u0133' -> b.append("ij");
                case '\u0149' -> b.append("\u02bcn");
                case '\u01f1' -> b.append("DZ");
                case '\u01f2' -> b.append("Dz");
                case '\u01f3' -> b.append("dz");
                case '\u01c4' -> b.append("D\u017d");
                case '\u01c5' -> b.append("D\u017e");
                case '\u01c6' -> b.append("d\u017e");
                case '\u01c7' -> b.append("LJ");
                case '\u01c8' -> b.append("Lj");
                case '\u01c9' -> b.append("lj");
                case '\u01ca' -> b.append("NJ");
                case '\u01cb' -> b.append("Nj");
                case '\u01cc' -> b.append("nj");
                case '\ufb00' -> b.append("ff");
                case '\ufb01' -> b.append("fi");
                case '\ufb02' -> b.append("fl");
                case '\ufb03' -> b.append("ffi");
                case '\ufb04' -> b.append("ffl");
                case '\ufb05' -> b.append("\u017ft");
                case '\ufb06' -> b.append("st");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Full-width and half-width forms (U+FF01..U+FFEF) to their NFKC equivalents; U+3000 to a space. */
    static String fixCharacterWidth(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String r = null;
            if (c == '\u3000') r = " ";
            else if (c >= '\uff01' && c <= '\uffef') {
                String n = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
                if (!n.equals(String.valueOf(c))) r = n;
            }
            if (r != null) {
                if (b == null) b = new StringBuilder(text.substring(0, i));
                b.append(r);
            } else if (b != null) b.append(c);
        }
        return b == null ? text : b.toString();
    }

    /** Curly single quotes (U+2018..U+201B, U+02BC) to ', curly double quotes (U+201C..U+201F) to ". */
    static String uncurlQuotes(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u02bc' || (c >= '\u2018' && c <= '\u201b')) b.append('\'');
            else if (c >= '\u201c' && c <= '\u201f') b.append('"');
            else b.append(c);
        }
        return b.toString();
    }

    static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n').replace('\u0085', '\n');
    }

    /** Lone UTF-16 surrogates become U+FFFD (pairs are already one code point in a Java string). */
    static String fixSurrogates(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                b.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) b.append('\ufffd');
            else b.append(c);
        }
        return b.toString();
    }

    /** Removes C0 controls other than tab, newline, form feed and carriage return, DEL, U+206A..U+206F, BOM, U+FFF9..U+FFFC. */
    static String removeControlChars(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean drop = c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f
                    || (c >= 0x206a && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffc);
            if (!drop) b.append(c);
        }
        return b.toString();
    }
}
