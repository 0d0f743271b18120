package org.synesthesia.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.synesthesia.tensor.Tensor;

/**
 * Captures module outputs by their reference names (the checkpoint's own, e.g. {@code encoder.blocks.0.attn}).
 * Models call {@link #capture(String, Tensor)} after each named module; only names matching one of the
 * patterns are copied. Patterns are globs over dotted names: {@code *} matches within one segment (no dot),
 * {@code **} matches anything, {@code ?} one character.
 */
public final class Tracer {
    /** Captures nothing; the default for plain inference. */
    public static final Tracer NONE = new Tracer(List.of());

    private final List<Pattern> patterns;
    private final Map<String, Tensor> captured = Collections.synchronizedMap(new LinkedHashMap<>());

    private Tracer(List<Pattern> patterns) {
        this.patterns = patterns;
    }

    public static Tracer of(List<String> globs) {
        List<Pattern> ps = new ArrayList<>();
        for (String g : globs) ps.add(globToRegex(g));
        return new Tracer(ps);
    }

    public static Tracer of(String... globs) {
        return of(List.of(globs));
    }

    static Pattern globToRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') { b.append(".*"); i++; }
            else if (c == '*') b.append("[^.]*");
            else if (c == '?') b.append("[^.]");
            else b.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(b.toString());
    }

    /** Whether a module of this name is captured (models may skip building a tensor view when not). */
    public boolean wants(String name) {
        if (patterns.isEmpty()) return false;
        for (Pattern p : patterns) if (p.matcher(name).matches()) return true;
        return false;
    }

    /** Records a copy of {@code t} under {@code name} if a pattern matches; later captures of a name replace earlier ones. */
    public void capture(String name, Tensor t) {
        if (wants(name)) captured.put(name, t.copy());
    }

    /** Captured tensors in capture order. */
    public Map<String, Tensor> captured() {
        synchronized (captured) {
            return new LinkedHashMap<>(captured);
        }
    }
}
