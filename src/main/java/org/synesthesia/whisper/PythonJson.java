package org.synesthesia.whisper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(value)} writes it with default options, so that our outputs
 * match openai/whisper's byte for byte: separators {@code ", "} and {@code ": "}, {@code ensure_ascii} (every
 * non-ASCII character as {@code \\uXXXX}, UTF-16 surrogate pairs above U+FFFF), floats as {@code repr(float)}
 * ({@code 11.0}, {@code 1e-05}, {@code 1e+16}) and {@code NaN} / {@code Infinity} for non-finite values.
 * Values: maps, iterables, {@code int[]}, strings, booleans, null, integral boxed types (as ints) and
 * {@code Float}/{@code Double} (as floats).
 */
final class PythonJson {
    private PythonJson() {}

    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    static void write(Object v, StringBuilder b) {
        if (v == null) b.append("null");
        else if (v instanceof String s) quote(s, b);
        else if (v instanceof Boolean x) b.append(x ? "true" : "false");
        else if (v instanceof Double || v instanceof Float) b.append(repr(((Number) v).doubleValue()));
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) b.append(v);
        else if (v instanceof int[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) { if (i > 0) b.append(", "); b.append(a[i]); }
            b.append(']');
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                quote(String.valueOf(e.getKey()), b);
                b.append(": ");
                write(e.getValue(), b);
                if (it.hasNext()) b.append(", ");
            }
            b.append('}');
        } else if (v instanceof Iterable<?> it) {
            b.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) b.append(", ");
                first = false;
                write(o, b);
            }
            b.append(']');
        } else throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }

    /** {@code json.dumps(str)} with {@code ensure_ascii=True}. */
    static void quote(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that reads back to {@code d}; positional when the decimal
     * exponent {@code decpt} (value = 0.DIGITS × 10^decpt) is in (-4, 16], otherwise {@code D.DDDe±XX}.
     */
    static String repr(double d) {
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
