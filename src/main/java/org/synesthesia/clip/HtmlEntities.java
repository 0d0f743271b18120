package org.synesthesia.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references: Python's {@code html.unescape} (named references from the HTML5 list, with and
 * without the semicolon where the standard allows; decimal and hex references with the HTML5 replacements for
 * C1 and invalid code points) and the stricter variant ftfy applies first (only {@code &...;} forms, plus
 * upper-cased names of lower-case entities such as {@code &EACUTE;}).
 */
final class HtmlEntities {
    private HtmlEntities() {}

    /** Name (without '&', with its ';' if any) to replacement text. */
    static final Map<String, String> HTML5 = load();

    /** What bytes 0x80..0x9F mean in Windows-1252, with the five undefined ones kept as C1 controls ("sloppy" 1252). */
    static final char[] CP1252_80_9F = {
        '\u20ac', '\u0081', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
        '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008d', '\u017d', '\u008f',
        '\u0090', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
        '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\u009d', '\u017e', '\u0178'};

    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    /** ftfy's table: "&name;" of every ';' entity, plus "&NAME;" for lower-case names whose upper-case form is no entity. */
    private static final Map<String, String> FTFY = buildFtfy();

    private static Map<String, String> load() {
        Map<String, String> m = new HashMap<>(4096);
        try (InputStream in = HtmlEntities.class.getResourceAsStream("html5-entities.txt")) {
            if (in == null) throw new IllegalStateException("resource html5-entities.txt is missing from the build");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int tab = line.indexOf('\t');
                StringBuilder v = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) v.appendCodePoint(Integer.parseInt(hex, 16));
                m.put(line.substring(0, tab), v.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }

    private static Map<String, String> buildFtfy() {
        Map<String, String> m = new HashMap<>(8192);
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) continue;
            m.put("&" + name, e.getValue());
            if (name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(java.util.Locale.ROOT);
                if (unescape(upper).equals(upper)) m.put(upper, e.getValue().toUpperCase(java.util.Locale.ROOT));
            }
        }
        return m;
    }

    /** Python's {@code html.unescape(s)}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) return s;
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String s) {
        if (s.charAt(0) == '#') {
            boolean hex = s.length() > 1 && (s.charAt(1) == 'x' || s.charAt(1) == 'X');
            String digits = s.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) digits = digits.substring(0, digits.length() - 1);
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            if (big.compareTo(BigInteger.valueOf(0x10ffff)) > 0) return "\ufffd";
            int num = big.intValue();
            if (num == 0) return "\ufffd";
            if (num == 0x0d) return "\r";
            if (num >= 0x80 && num <= 0x9f) return String.valueOf(CP1252_80_9F[num - 0x80]);
            if (num >= 0xd800 && num <= 0xdfff) return "\ufffd";
            if (invalidCodePoint(num)) return "";
            return Character.toString(num);
        }
        String v = HTML5.get(s);
        if (v != null) return v;
        for (int x = s.length() - 1; x > 1; x--) {
            v = HTML5.get(s.substring(0, x));
            if (v != null) return v + s.substring(x);
        }
        return "&" + s;
    }

    private static boolean invalidCodePoint(int c) {
        return (c >= 0x1 && c <= 0x8) || c == 0xb || (c >= 0xe && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)
                || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
    }

    /** ftfy's {@code unescape_html}: only complete {@code &...;} references; numeric ones via {@link #unescape}. */
    static String unescapeFtfy(String text) {
        if (text.indexOf('&') < 0) return text;
        Matcher m = FTFY_ENTITY.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String e = m.group();
            String r = FTFY.get(e);
            if (r == null) {
                if (e.startsWith("&#")) {
                    String u = unescape(e);
                    r = u.contains(";") ? e : u;
                } else {
                    r = e;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(r));
        }
        m.appendTail(out);
        return out.toString();
    }
}
