package org.synesthesia.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer. Objects become {@code LinkedHashMap<String,Object>} (key order kept),
 * arrays {@code List<Object>}, numbers {@code Long} when integral and in range else {@code Double}, plus
 * {@code String}, {@code Boolean} and {@code null}.
 */
public final class Json {
    /** How deeply objects and arrays may nest; deeper input is an error, not a stack overflow. */
    public static final int MAX_DEPTH = 512;

    private final String s;
    private final boolean uniqueKeys;
    private int p;
    private int depth;

    private Json(String s, boolean uniqueKeys) {
        this.s = s;
        this.uniqueKeys = uniqueKeys;
    }

    /**
     * Parses one JSON value; throws {@link IllegalArgumentException} with the character offset on bad input or on
     * nesting deeper than {@link #MAX_DEPTH}. A key repeated in one object keeps its last value (as Python's json).
     */
    public static Object parse(String text) {
        return parse(text, false);
    }

    /** As {@link #parse(String)}; with {@code uniqueKeys}, a key repeated within one object is an error naming it. */
    public static Object parse(String text, boolean uniqueKeys) {
        Json j = new Json(text, uniqueKeys);
        j.ws();
        Object v = j.value();
        j.ws();
        if (j.p != text.length()) throw j.error("unexpected trailing characters");
        return v;
    }

    public static Map<String, Object> parseObject(String text) {
        return parseObject(text, false);
    }

    /** One JSON object; with {@code uniqueKeys}, a key repeated within one object is an error naming it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text, boolean uniqueKeys) {
        Object v = parse(text, uniqueKeys);
        if (!(v instanceof Map)) throw new IllegalArgumentException("JSON: expected an object at the top level");
        return (Map<String, Object>) v;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + p);
    }

    private void ws() {
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') p++;
            else break;
        }
    }

    private Object value() {
        if (p >= s.length()) throw error("unexpected end");
        char c = s.charAt(p);
        switch (c) {
            case '{': return nested(true);
            case '[': return nested(false);
            case '"': return string();
            case 't': expect("true"); return Boolean.TRUE;
            case 'f': expect("false"); return Boolean.FALSE;
            case 'n': expect("null"); return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                // Python's json writes these for non-finite floats
                if (s.startsWith("NaN", p)) { p += 3; return Double.NaN; }
                if (s.startsWith("Infinity", p)) { p += 8; return Double.POSITIVE_INFINITY; }
                throw error("unexpected character '" + c + "'");
        }
    }

    private void expect(String word) {
        if (!s.startsWith(word, p)) throw error("expected " + word);
        p += word.length();
    }

    private Object nested(boolean object) {
        if (++depth > MAX_DEPTH) throw error("objects and arrays nest more than " + MAX_DEPTH + " levels deep");
        Object v = object ? object() : array();
        depth--;
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == '}') { p++; return m; }
        while (true) {
            ws();
            if (p >= s.length() || s.charAt(p) != '"') throw error("expected a key");
            int keyAt = p;
            String k = string();
            if (uniqueKeys && m.containsKey(k)) {
                p = keyAt;
                throw error("duplicate key \"" + SafeText.quote(k) + "\"");
            }
            ws();
            if (p >= s.length() || s.charAt(p) != ':') throw error("expected ':'");
            p++;
            ws();
            m.put(k, value());
            ws();
            if (p >= s.length()) throw error("unterminated object");
            char c = s.charAt(p++);
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array() {
        List<Object> a = new ArrayList<>();
        p++;
        ws();
        if (p < s.length() && s.charAt(p) == ']') { p++; return a; }
        while (true) {
            ws();
            a.add(value());
            ws();
            if (p >= s.length()) throw error("unterminated array");
            char c = s.charAt(p++);
            if (c == ']') return a;
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private String string() {
        p++;
        StringBuilder b = null;
        int start = p;
        while (true) {
            if (p >= s.length()) throw error("unterminated string");
            char c = s.charAt(p);
            if (c == '"') {
                String out = b == null ? s.substring(start, p) : b.append(s, start, p).toString();
                p++;
                return out;
            }
            if (c == '\\') {
                if (b == null) b = new StringBuilder();
                b.append(s, start, p);
                p++;
                if (p >= s.length()) throw error("bad escape");
                char e = s.charAt(p++);
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (p + 4 > s.length()) throw error("bad \\u escape");
                        b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                        p += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
                start = p;
            } else {
                p++;
            }
        }
    }

    private Object number() {
        int start = p;
        if (s.charAt(p) == '-') p++;
        if (s.startsWith("Infinity", p)) { p += 8; return Double.NEGATIVE_INFINITY; }
        boolean integral = true;
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c >= '0' && c <= '9') p++;
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { integral = false; p++; }
            else break;
        }
        String t = s.substring(start, p);
        if (t.isEmpty() || t.equals("-")) throw error("bad number");
        if (integral) {
            try { return Long.parseLong(t); } catch (NumberFormatException e) { return new BigDecimal(t).doubleValue(); }
        }
        try { return Double.parseDouble(t); } catch (NumberFormatException e) { throw error("bad number " + t); }
    }

    /** Writes a value made of maps, lists, strings, numbers, booleans and null as compact JSON. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(v, b, COMPACT);
        return b.toString();
    }

    /**
     * JSON text exactly as Python's {@code json.dumps(value)} writes it with default options: separators
     * {@code ", "} and {@code ": "}, {@code ensure_ascii} (every non-ASCII character as {@code \\uXXXX}, UTF-16
     * surrogate pairs above U+FFFF), {@code Float}/{@code Double} as {@code repr(float)} ({@link #pythonRepr}),
     * integral boxed types as ints.
     */
    public static String writePython(Object v) {
        StringBuilder b = new StringBuilder();
        writePython(v, b);
        return b.toString();
    }

    /** {@link #writePython(Object)} appended to {@code b}. */
    public static void writePython(Object v, StringBuilder b) {
        write(v, b, PYTHON);
    }

    /**
     * How values are spelled. Compact: no spaces, control characters escaped as {@code \\u00XX}, integral
     * doubles as integers. Python: {@code json.dumps}' separators and escapes, floats as {@code repr(float)}.
     */
    private record Style(String itemSep, String keySep, boolean python) {}

    private static final Style COMPACT = new Style(",", ":", false);
    private static final Style PYTHON = new Style(", ", ": ", true);

    private static void write(Object v, StringBuilder b, Style st) {
        if (v == null) b.append("null");
        else if (v instanceof String str) quote(str, b, st.python());
        else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) b.append(v);
        else if (st.python() && (v instanceof Double || v instanceof Float)) b.append(pythonRepr(((Number) v).doubleValue()));
        else if (!st.python() && v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) b.append((long) d);
            else b.append(d);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                quote(String.valueOf(e.getKey()), b, st.python());
                b.append(st.keySep());
                write(e.getValue(), b, st);
                if (it.hasNext()) b.append(st.itemSep());
            }
            b.append('}');
        } else if (v instanceof Iterable<?> it) {
            b.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) b.append(st.itemSep());
                first = false;
                write(o, b, st);
            }
            b.append(']');
        } else if (v instanceof long[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) { if (i > 0) b.append(st.itemSep()); b.append(a[i]); }
            b.append(']');
        } else if (v instanceof int[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) { if (i > 0) b.append(st.itemSep()); b.append(a[i]); }
            b.append(']');
        } else throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }

    /** A JSON string; {@code python}: also {@code \\b}, {@code \\f} and every character above 0x7e escaped. */
    private static void quote(String str, StringBuilder b, boolean python) {
        b.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append(python ? "\\b" : "\\u0008");
                case '\f' -> b.append(python ? "\\f" : "\\u000c");
                default -> {
                    if (c < 0x20 || python && c > 0x7e) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that reads back to {@code d}; positional when the decimal
     * exponent {@code decpt} (value = 0.DIGITS x 10^decpt) is in (-4, 16], otherwise {@code D.DDDe+-XX};
     * {@code NaN}, {@code Infinity}.
     */
    public static String pythonRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as Python's repr does
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        if (bd.precision() == 2) {
            // Java writes at least two digits (4.9E-324 for 5e-324); use one digit when that one reads back too
            BigDecimal one = new BigDecimal(Math.abs(d)).round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(d)) bd = one.stripTrailingZeros();
        }
        String digits = bd.unscaledValue().toString();
        int n = digits.length();
        int decpt = n - bd.scale();
        StringBuilder b = new StringBuilder(24);
        if (d < 0) b.append('-');
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) b.append("0.").append("0".repeat(-decpt)).append(digits);
            else if (decpt >= n) b.append(digits).append("0".repeat(decpt - n)).append(".0");
            else b.append(digits, 0, decpt).append('.').append(digits, decpt, n);
        } else {
            b.append(digits.charAt(0));
            if (n > 1) b.append('.').append(digits, 1, n);
            int e = decpt - 1;
            b.append('e').append(e < 0 ? '-' : '+');
            int ae = Math.abs(e);
            if (ae < 10) b.append('0');
            b.append(ae);
        }
        return b.toString();
    }
}
