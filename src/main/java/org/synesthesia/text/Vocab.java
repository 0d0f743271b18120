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
        int max = -1;
        for (int id : ids.values()) max = Math.max(max, id);
        tokens = new String[max + 1];
        for (Map.Entry<String, Integer> e : ids.entrySet()) tokens[e.getValue()] = e.getKey();
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
