package org.synesthesia.text;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A token vocabulary both ways: token text to id, and id to token text (ids need not be dense). */
public final class Vocab {
    private final Map<String, Integer> ids;
    private final String[] tokens;

    /** From token text to id, as {@code vocab.json} gives it. */
    public Vocab(Map<String, Integer> ids) {
        this.ids = Map.copyOf(ids);
        long limit = maxId(ids.size());
        int max = -1;
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id > limit)
                throw new IllegalArgumentException("token '" + shown(e.getKey()) + "' has id " + id + ", outside 0.." + limit + " for " + ids.size() + " tokens");
            max = Math.max(max, id);
        }
        tokens = new String[max + 1];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            if (tokens[e.getValue()] != null)
                throw new IllegalArgumentException("tokens '" + shown(tokens[e.getValue()]) + "' and '" + shown(e.getKey()) + "' share id " + e.getValue());
            tokens[e.getValue()] = e.getKey();
        }
    }

    /**
     * The largest id a vocabulary of {@code count} tokens may use: count - 1 plus a slack of 1024 unused ids (ids
     * need not be dense, but a table sized by the largest id must stay near the entry count).
     */
    public static long maxId(int count) {
        return count - 1L + 1024;
    }

    /** A token for a message: at most 40 characters, control characters escaped. */
    static String shown(String token) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < token.length() && b.length() < 40; i++) {
            char c = token.charAt(i);
            if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return token.length() > 40 ? b + "..." : b.toString();
    }

    /** The id of {@code token}, or null. */
    public Integer id(String token) {
        return ids.get(token);
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The text of token {@code id}; an id without a token is an {@link IllegalArgumentException}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
        return tokens[id];
    }

    /** One more than the largest id. */
    public int size() {
        return tokens.length;
    }

    /** The tokens in id order, null where an id has no token. */
    public List<String> byId() {
        return Collections.unmodifiableList(Arrays.asList(tokens));
    }
}
