package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.synesthesia.util.SynesthesiaException;

/**
 * Parsed arguments of one command: {@code --name value}, {@code --name=value}, boolean {@code --flag}s and
 * positionals. Every option a command reads is marked used; {@link #finish()} rejects the unknown ones. A command's
 * aliases ({@code -p} or {@code --cfg-scale}) stand for its own long names; any other token starting with a single
 * dash (not a negative number, not {@code -} alone) is an unknown option, never a positional; after {@code --} every
 * token is a positional.
 */
public final class Args {
    private final String command;
    private final List<String> positionals = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    public Args(String command, List<String> raw, Set<String> flags) {
        this(command, raw, flags, Map.of());
    }

    /** {@code aliases}: spelling as typed ({@code -p}, {@code --cfg-scale}) to the option's long name ({@code prompt}). */
    public Args(String command, List<String> raw, Set<String> flags, Map<String, String> aliases) {
        this.command = command;
        boolean optionsEnd = false;
        for (int i = 0; i < raw.size(); i++) {
            String a = raw.get(i);
            if (optionsEnd) {
                positionals.add(a);
                continue;
            }
            if (a.equals("--")) {
                optionsEnd = true;
                continue;
            }
            int eq0 = a.indexOf('=');
            String alias = aliases.get(eq0 > 0 ? a.substring(0, eq0) : a);
            if (alias != null) a = "--" + alias + (eq0 > 0 ? a.substring(eq0) : "");
            if (a.startsWith("-") && !a.startsWith("--") && a.length() > 1 && !isNumber(a))
                throw new SynesthesiaException(command + ": unknown option " + a + " (see synesthesia " + command + " --help)");
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (flags.contains(name)) {
                    value = "true";
                } else {
                    if (i + 1 >= raw.size()) throw new SynesthesiaException(command + ": option --" + name + " needs a value");
                    value = raw.get(++i);
                }
                options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                positionals.add(a);
            }
        }
    }

    /** Whether {@code s} reads as a number ({@code -1}, {@code -0.5}, {@code -1e-3}): a value, not an option. */
    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return !s.contains("N") && !s.contains("I");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public String command() { return command; }

    public List<String> positionals() { return positionals; }

    public String positional(int i, String what) {
        if (i >= positionals.size()) throw new SynesthesiaException(command + ": missing " + what + " (see synesthesia " + command + " --help)");
        return positionals.get(i);
    }

    public boolean has(String name) {
        used.add(name);
        return options.containsKey(name);
    }

    public boolean flag(String name) {
        used.add(name);
        List<String> v = options.get(name);
        return v != null && !v.get(v.size() - 1).equals("false");
    }

    public String get(String name, String def) {
        used.add(name);
        List<String> v = options.get(name);
        return v == null ? def : v.get(v.size() - 1);
    }

    public List<String> all(String name) {
        used.add(name);
        return options.getOrDefault(name, List.of());
    }

    public String require(String name) {
        String v = get(name, null);
        if (v == null) throw new SynesthesiaException(command + ": --" + name + " is required (see synesthesia " + command + " --help)");
        return v;
    }

    public Path path(String name) {
        String v = get(name, null);
        return v == null ? null : Path.of(v);
    }

    public int getInt(String name, int def) {
        String v = get(name, null);
        if (v == null) return def;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SynesthesiaException(command + ": --" + name + " must be an integer, not '" + v + "'");
        }
    }

    public long getLong(String name, long def) {
        String v = get(name, null);
        if (v == null) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new SynesthesiaException(command + ": --" + name + " must be an integer, not '" + v + "'");
        }
    }

    public double getDouble(String name, double def) {
        String v = get(name, null);
        if (v == null) return def;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new SynesthesiaException(command + ": --" + name + " must be a number, not '" + v + "'");
        }
    }

    /** Throws on an option no one asked for (a typo, or an option of another command). */
    public void finish() {
        for (String k : options.keySet())
            if (!used.contains(k)) throw new SynesthesiaException(command + ": unknown option --" + k + " (see synesthesia " + command + " --help)");
    }
}
