package org.synesthesia.whisper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spelled-out English numbers to digits, as openai/whisper's {@code EnglishNumberNormalizer} does for word error
 * rates: {@code "nineteen ninety nine"} → {@code 1999}, {@code "two point five million"} → {@code 2500000},
 * {@code "thirty first"} → {@code 31st}, {@code "200 thousand dollars"} → {@code $200000}, {@code "seventy six per
 * cent"} → {@code 76%}, {@code "double oh seven"} → {@code 007}, {@code "two dollars and seventy cents"} →
 * {@code $2.70}. Input is lower-case text; output words are joined by single spaces.
 *
 * <p>The running number is either an integer (arithmetic continues: {@code value % 100 == 0} allows adding tens)
 * or a string (digits are concatenated: {@code "five twenty four"} → {@code 524}), exactly as in the reference.
 */
final class EnglishNumberNormalizer {
    private static final Pattern NUMERIC = Pattern.compile("^\\d+(\\.\\d+)?$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern FRACTION = Pattern.compile("^\\s*[+-]?(?=\\d|\\.\\d)\\d*(\\.\\d*)?([eE][+-]?\\d+)?\\s*$", Pattern.UNICODE_CHARACTER_CLASS);

    private static final String[] ONES_NAMES = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
    private static final String[] TENS_NAMES = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    private static final String[] MULTIPLIER_NAMES = {"hundred", "thousand", "million", "billion", "trillion",
        "quadrillion", "quintillion", "sextillion", "septillion", "octillion", "nonillion", "decillion"};

    /** A number with a suffix: {@code "fifties"} = (50, "s"), {@code "third"} = (3, "rd"). */
    private record Suffixed(BigInteger value, String suffix) {}

    private final Set<String> zeros = Set.of("o", "oh", "zero");
    private final Map<String, Integer> ones = new HashMap<>();
    private final Map<String, Suffixed> onesSuffixed = new HashMap<>();
    private final Map<String, Integer> tens = new HashMap<>();
    private final Map<String, Suffixed> tensSuffixed = new HashMap<>();
    private final Map<String, BigInteger> multipliers = new LinkedHashMap<>();
    private final Map<String, Suffixed> multipliersSuffixed = new HashMap<>();
    private final Set<String> decimals = new HashSet<>();
    private final Map<String, String> precedingPrefixers = Map.of("minus", "-", "negative", "-", "plus", "+", "positive", "+");
    private final Map<String, String> followingPrefixers = Map.of("pound", "£", "pounds", "£", "euro", "€", "euros", "€",
            "dollar", "$", "dollars", "$", "cent", "¢", "cents", "¢");
    private final Set<Character> prefixes = Set.of('-', '+', '£', '€', '$', '¢');
    private final Set<String> specials = Set.of("and", "double", "triple", "point");
    private final Set<String> words = new HashSet<>();
    private final Pattern halfMultiplier;

    EnglishNumberNormalizer() {
        for (int i = 0; i < ONES_NAMES.length; i++) {
            String name = ONES_NAMES[i];
            int v = i + 1;
            ones.put(name, v);
            onesSuffixed.put(name.equals("six") ? "sixes" : name + "s", new Suffixed(BigInteger.valueOf(v), "s"));
            if (v > 3 && v != 5 && v != 12)
                onesSuffixed.put(name + (name.endsWith("t") ? "h" : "th"), new Suffixed(BigInteger.valueOf(v), "th"));
        }
        onesSuffixed.put("zeroth", new Suffixed(BigInteger.ZERO, "th"));
        onesSuffixed.put("first", new Suffixed(BigInteger.ONE, "st"));
        onesSuffixed.put("second", new Suffixed(BigInteger.TWO, "nd"));
        onesSuffixed.put("third", new Suffixed(BigInteger.valueOf(3), "rd"));
        onesSuffixed.put("fifth", new Suffixed(BigInteger.valueOf(5), "th"));
        onesSuffixed.put("twelfth", new Suffixed(BigInteger.valueOf(12), "th"));
        for (int i = 0; i < TENS_NAMES.length; i++) {
            String name = TENS_NAMES[i];
            int v = 20 + 10 * i;
            tens.put(name, v);
            tensSuffixed.put(name.replace("y", "ies"), new Suffixed(BigInteger.valueOf(v), "s"));
            tensSuffixed.put(name.replace("y", "ieth"), new Suffixed(BigInteger.valueOf(v), "th"));
        }
        BigInteger m = BigInteger.valueOf(100);
        for (int i = 0; i < MULTIPLIER_NAMES.length; i++) {
            String name = MULTIPLIER_NAMES[i];
            multipliers.put(name, m);
            multipliersSuffixed.put(name + "s", new Suffixed(m, "s"));
            multipliersSuffixed.put(name + "th", new Suffixed(m, "th"));
            m = i == 0 ? BigInteger.valueOf(1000) : m.multiply(BigInteger.valueOf(1000));
        }
        decimals.addAll(ones.keySet());
        decimals.addAll(tens.keySet());
        decimals.addAll(zeros);
        words.addAll(zeros);
        words.addAll(ones.keySet());
        words.addAll(onesSuffixed.keySet());
        words.addAll(tens.keySet());
        words.addAll(tensSuffixed.keySet());
        words.addAll(multipliers.keySet());
        words.addAll(multipliersSuffixed.keySet());
        words.addAll(precedingPrefixers.keySet());
        words.addAll(followingPrefixers.keySet());
        words.addAll(List.of("per", "percent"));
        words.addAll(specials);
        List<String> byLength = new ArrayList<>(multipliers.keySet());
        byLength.sort((a, b) -> b.length() - a.length()); // stable: longest first, as the reference sorts
        halfMultiplier = Pattern.compile("\\b(?:a\\s+half\\s+|half\\s+(?:a\\s+)?)(" + String.join("|", byLength) + ")\\b",
                Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** Preprocess, convert the words, postprocess. */
    String normalize(String s) {
        s = preprocess(s);
        s = String.join(" ", processWords(PyText.split(s)));
        return postprocess(s);
    }

    // ---- the word-by-word state machine ----

    private final class State {
        String prefix; // pending sign or currency symbol
        Object value; // null, BigInteger or String
        final List<String> out = new ArrayList<>();

        /** Emits {@code result} with the pending prefix, and clears the number. */
        void output(Object result) {
            String r = String.valueOf(result);
            if (prefix != null) r = prefix + r;
            value = null;
            prefix = null;
            out.add(r);
        }
    }

    /** {@code str(value or "")}: None, 0 and "" are all empty. */
    private static String orEmpty(Object v) {
        if (v == null) return "";
        if (v instanceof BigInteger b && b.signum() == 0) return "";
        return v.toString();
    }

    /** Python {@code Fraction(value)} as an exact decimal, or null when it does not parse. */
    private static BigDecimal toFraction(Object v) {
        if (v instanceof BigInteger b) return new BigDecimal(b);
        String s = (String) v;
        if (!FRACTION.matcher(s).matches()) return null;
        return new BigDecimal(s.strip());
    }

    /** Integral {@code f * multiplier}, or null. */
    private static BigInteger integralProduct(BigDecimal f, BigInteger multiplier) {
        if (f == null) return null;
        BigDecimal p = f.multiply(new BigDecimal(multiplier));
        try {
            return p.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static boolean mod(Object value, int m) {
        return ((BigInteger) value).mod(BigInteger.valueOf(m)).signum() == 0;
    }

    /** {@code before + residual * multiplier} with {@code before = value // 1000 * 1000}, {@code residual = value % 1000}. */
    private static BigInteger scale(BigInteger value, BigInteger multiplier) {
        BigInteger thousand = BigInteger.valueOf(1000);
        BigInteger before = floorDiv(value, thousand).multiply(thousand);
        BigInteger residual = value.subtract(before);
        return before.add(residual.multiply(multiplier));
    }

    private static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    List<String> processWords(List<String> input) {
        State st = new State();
        int n = input.size();
        boolean skip = false;
        for (int i = 0; i < n; i++) {
            if (skip) { skip = false; continue; }
            String prev = i > 0 ? input.get(i - 1) : null;
            String current = input.get(i);
            String next = i + 1 < n ? input.get(i + 1) : null;
            boolean nextIsNumeric = next != null && NUMERIC.matcher(next).matches();
            boolean hasPrefix = prefixes.contains(current.charAt(0));
            String withoutPrefix = hasPrefix ? current.substring(1) : current;

            if (NUMERIC.matcher(withoutPrefix).matches()) {
                // arabic numbers, possibly with a sign or currency and a fraction
                BigDecimal f = toFraction(withoutPrefix);
                if (st.value != null) {
                    if (st.value instanceof String sv && sv.endsWith(".")) {
                        st.value = sv + current; // decimals / ip address components
                        continue;
                    }
                    st.output(st.value);
                }
                if (hasPrefix) st.prefix = String.valueOf(current.charAt(0));
                BigInteger integral = integralOrNull(f);
                st.value = integral != null ? integral : withoutPrefix;
            } else if (!words.contains(current)) {
                if (st.value != null) st.output(st.value);
                st.output(current);
            } else if (zeros.contains(current)) {
                st.value = orEmpty(st.value) + "0";
            } else if (ones.containsKey(current)) {
                int o = ones.get(current);
                if (st.value == null) st.value = BigInteger.valueOf(o);
                else if (st.value instanceof String || ones.containsKey(prev)) {
                    String sv = st.value.toString();
                    if (tens.containsKey(prev) && o < 10 && sv.endsWith("0")) st.value = sv.substring(0, sv.length() - 1) + o;
                    else st.value = sv + o;
                } else if (o < 10) {
                    if (mod(st.value, 10)) st.value = ((BigInteger) st.value).add(BigInteger.valueOf(o));
                    else st.value = st.value.toString() + o;
                } else { // eleven to nineteen
                    if (mod(st.value, 100)) st.value = ((BigInteger) st.value).add(BigInteger.valueOf(o));
                    else st.value = st.value.toString() + o;
                }
            } else if (onesSuffixed.containsKey(current)) {
                // ordinal or plural: emit the number right away
                Suffixed s = onesSuffixed.get(current);
                int o = s.value().intValue();
                if (st.value == null) st.output(o + s.suffix());
                else if (st.value instanceof String || ones.containsKey(prev)) {
                    String sv = st.value.toString();
                    if (tens.containsKey(prev) && o < 10 && sv.endsWith("0")) st.output(sv.substring(0, sv.length() - 1) + o + s.suffix());
                    else st.output(sv + o + s.suffix());
                } else if (o < 10) {
                    if (mod(st.value, 10)) st.output(((BigInteger) st.value).add(s.value()) + s.suffix());
                    else st.output(st.value.toString() + o + s.suffix());
                } else {
                    if (mod(st.value, 100)) st.output(((BigInteger) st.value).add(s.value()) + s.suffix());
                    else st.output(st.value.toString() + o + s.suffix());
                }
                st.value = null;
            } else if (tens.containsKey(current)) {
                int t = tens.get(current);
                if (st.value == null) st.value = BigInteger.valueOf(t);
                else if (st.value instanceof String sv) st.value = sv + t;
                else if (mod(st.value, 100)) st.value = ((BigInteger) st.value).add(BigInteger.valueOf(t));
                else st.value = st.value.toString() + t;
            } else if (tensSuffixed.containsKey(current)) {
                Suffixed s = tensSuffixed.get(current);
                if (st.value == null) st.output(s.value() + s.suffix());
                else if (st.value instanceof String sv) st.output(sv + s.value() + s.suffix());
                else if (mod(st.value, 100)) st.output(((BigInteger) st.value).add(s.value()) + s.suffix());
                else st.output(st.value.toString() + s.value() + s.suffix());
            } else if (multipliers.containsKey(current)) {
                BigInteger mult = multipliers.get(current);
                if (st.value == null) st.value = mult;
                else if (st.value instanceof String || ((BigInteger) st.value).signum() == 0) {
                    BigInteger p = integralProduct(toFraction(st.value), mult);
                    if (p != null) st.value = p;
                    else {
                        st.output(st.value);
                        st.value = mult;
                    }
                } else {
                    st.value = scale((BigInteger) st.value, mult);
                }
            } else if (multipliersSuffixed.containsKey(current)) {
                Suffixed s = multipliersSuffixed.get(current);
                if (st.value == null) st.output(s.value() + s.suffix());
                else if (st.value instanceof String) {
                    BigInteger p = integralProduct(toFraction(st.value), s.value());
                    if (p != null) st.output(p + s.suffix());
                    else {
                        st.output(st.value);
                        st.output(s.value() + s.suffix());
                    }
                } else {
                    st.value = scale((BigInteger) st.value, s.value());
                    st.output(st.value + s.suffix());
                }
                st.value = null;
            } else if (precedingPrefixers.containsKey(current)) {
                // a sign applies when it precedes a number
                if (st.value != null) st.output(st.value);
                if (words.contains(next) || nextIsNumeric) st.prefix = precedingPrefixers.get(current);
                else st.output(current);
            } else if (followingPrefixers.containsKey(current)) {
                // a currency applies when it follows a number
                if (st.value != null) {
                    st.prefix = followingPrefixers.get(current);
                    st.output(st.value);
                } else st.output(current);
            } else if (current.equals("per") || current.equals("percent")) {
                if (st.value != null) {
                    if (current.equals("per")) {
                        if ("cent".equals(next)) {
                            st.output(st.value + "%");
                            skip = true;
                        } else {
                            st.output(st.value);
                            st.output(current);
                        }
                    } else st.output(st.value + "%");
                } else st.output(current);
            } else if (specials.contains(current)) {
                if (!words.contains(next) && !nextIsNumeric) {
                    // only special when the next word can be part of a number
                    if (st.value != null) st.output(st.value);
                    st.output(current);
                } else if (current.equals("and")) {
                    // "and" after hundred, thousand, ... is dropped
                    if (!multipliers.containsKey(prev)) {
                        if (st.value != null) st.output(st.value);
                        st.output(current);
                    }
                } else if (current.equals("double") || current.equals("triple")) {
                    if (ones.containsKey(next) || zeros.contains(next)) {
                        int repeats = current.equals("double") ? 2 : 3;
                        String digit = String.valueOf(ones.getOrDefault(next, 0));
                        st.value = orEmpty(st.value) + digit.repeat(repeats);
                        skip = true;
                    } else {
                        if (st.value != null) st.output(st.value);
                        st.output(current);
                    }
                } else { // point
                    if (decimals.contains(next) || nextIsNumeric) st.value = orEmpty(st.value) + ".";
                }
            } else {
                throw new IllegalStateException("unexpected token: " + current);
            }
        }
        if (st.value != null) st.output(st.value);
        return st.out;
    }

    private static BigInteger integralOrNull(BigDecimal f) {
        if (f == null) return null;
        try {
            return f.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    // ---- before and after ----

    private static final Pattern AND_A_HALF = Pattern.compile("\\band\\s+a\\s+half\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern LETTER_DIGIT = Pattern.compile("([a-z])([0-9])");
    private static final Pattern DIGIT_LETTER = Pattern.compile("([0-9])([a-z])");
    private static final Pattern DIGIT_SUFFIX = Pattern.compile("([0-9])\\s+(st|nd|rd|th|s)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    String preprocess(String s) {
        // "<number> and a half" -> "<number> point five"
        String[] segments = AND_A_HALF.split(s, -1);
        List<String> results = new ArrayList<>();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (PyText.strip(segment).isEmpty()) continue;
            results.add(segment);
            if (i < segments.length - 1) {
                List<String> w = PyText.split(segment);
                String last = w.get(w.size() - 1);
                results.add(decimals.contains(last) || multipliers.containsKey(last) ? "point five" : "and a half");
            }
        }
        s = String.join(" ", results);
        // "half a million" -> "0.5 million"
        s = halfMultiplier.matcher(s).replaceAll("0.5 $1");
        // a space at letter/digit boundaries, but not before a suffix
        s = LETTER_DIGIT.matcher(s).replaceAll("$1 $2");
        s = DIGIT_LETTER.matcher(s).replaceAll("$1 $2");
        s = DIGIT_SUFFIX.matcher(s).replaceAll("$1$2");
        return s;
    }

    private static final Pattern CENTS_AFTER = Pattern.compile("([€£$])([0-9]+) (?:and )?¢([0-9]{1,2})\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern ZERO_CURRENCY = Pattern.compile("[€£$]0.([0-9]{1,2})\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern ONE = Pattern.compile("\\b1(s?)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    String postprocess(String s) {
        // "$2 and ¢7" -> "$2.07"
        s = CENTS_AFTER.matcher(s).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + m.group(2) + "." + String.format("%02d", Integer.parseInt(m.group(3)))));
        // "$0.36" -> "¢36"
        s = ZERO_CURRENCY.matcher(s).replaceAll(m -> Matcher.quoteReplacement("¢" + Integer.parseInt(m.group(1))));
        // "one(s)" rather than "1(s)", for readability
        s = ONE.matcher(s).replaceAll("one$1");
        return s;
    }
}
