package org.synesthesia.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Edits of a JSON text that keep it JSON-shaped: a number, string or key replaced by a boundary or wrong-typed
 * value, a key renamed (the field goes missing), a value nested 100,000 deep, the whole document replaced by an
 * empty one. The tokens are found by a small scanner (strings, numbers, literals; which strings are keys).
 */
final class JsonEdits {
    private JsonEdits() {}

    private record Token(int start, int end, char kind) {} // kind: 'k' key, 's' string value, 'n' number, 'l' literal

    static final String[] NUMBERS = {"0", "-1", "1", "1000000000", "-1000000000", "2147483648", "-2147483649",
            "9223372036854775807", "18446744073709551616", "1e308", "1e400", "-1e400", "0.5", "-0.0", "1e-320",
            "\"7\"", "null", "true", "[]", "{}", "[1,2,3]"};
    static final String[] STRINGS = {"\"\"", "\"\\u0000\\u001b[2J\\u0007\"", "\"" + "x".repeat(10_000) + "\"", "0", "-5",
            "null", "[]", "{}", "\"\\ud800\"", "\"NaN\"", "\"F64\"", "\"Q4_K\""};

    static List<int[]> scan(String t, List<Character> kinds) {
        List<Token> out = new ArrayList<>();
        int i = 0, n = t.length();
        while (i < n) {
            char c = t.charAt(i);
            if (c == '"') {
                int j = i + 1;
                while (j < n && t.charAt(j) != '"') j += t.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(j + 1, n);
                int k = j;
                while (k < n && Character.isWhitespace(t.charAt(k))) k++;
                out.add(new Token(i, j, k < n && t.charAt(k) == ':' ? 'k' : 's'));
                i = j;
            } else if (c == '-' || Character.isDigit(c)) {
                int j = i + 1;
                while (j < n && "0123456789.eE+-".indexOf(t.charAt(j)) >= 0) j++;
                out.add(new Token(i, j, 'n'));
                i = j;
            } else if (Character.isLetter(c)) {
                int j = i + 1;
                while (j < n && Character.isLetter(t.charAt(j))) j++;
                out.add(new Token(i, j, 'l'));
                i = j;
            } else i++;
        }
        List<int[]> r = new ArrayList<>();
        for (Token k : out) {
            kinds.add(k.kind);
            r.add(new int[] {k.start, k.end});
        }
        return r;
    }

    /** One edit of {@code text}, drawn by {@code rnd}; {@code what} receives its description. */
    static String edit(String text, Random rnd, StringBuilder what) {
        List<Character> kinds = new ArrayList<>();
        List<int[]> spans = scan(text, kinds);
        int op = rnd.nextInt(10);
        if (spans.isEmpty() || op == 9) {
            String[] whole = {"", "{}", "[]", "null", "{", "{\"a\":", "\"x\"", "{\"a\":1,\"a\":2}"};
            String w = whole[rnd.nextInt(whole.length)];
            what.append("document replaced by '").append(w).append("'");
            return w;
        }
        int t = rnd.nextInt(spans.size());
        int[] sp = spans.get(t);
        char kind = kinds.get(t);
        String old = text.substring(sp[0], sp[1]);
        String repl;
        if (op == 8 && kind != 'k') {
            int depth = 100_000;
            repl = "[".repeat(depth) + "]".repeat(depth);
            what.append("value ").append(clip(old)).append(" at ").append(sp[0]).append(" nested ").append(depth).append(" deep");
        } else if (kind == 'k') {
            repl = op < 4 ? "\"" + old.substring(1, Math.max(1, old.length() - 1)) + "_gone\"" : pickKeyTwin(text, spans, kinds, rnd, old);
            what.append("key ").append(clip(old)).append(" at ").append(sp[0]).append(" renamed ").append(clip(repl));
        } else if (kind == 'n' || kind == 'l') {
            repl = NUMBERS[rnd.nextInt(NUMBERS.length)];
            what.append("value ").append(clip(old)).append(" at ").append(sp[0]).append(" replaced by ").append(clip(repl));
        } else {
            repl = STRINGS[rnd.nextInt(STRINGS.length)];
            what.append("string ").append(clip(old)).append(" at ").append(sp[0]).append(" replaced by ").append(clip(repl));
        }
        return text.substring(0, sp[0]) + repl + text.substring(sp[1]);
    }

    /** Another key of the document (a duplicate key once renamed), or the same key when there is one. */
    private static String pickKeyTwin(String text, List<int[]> spans, List<Character> kinds, Random rnd, String old) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) if (kinds.get(i) == 'k') keys.add(text.substring(spans.get(i)[0], spans.get(i)[1]));
        return keys.isEmpty() ? old : keys.get(rnd.nextInt(keys.size()));
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
