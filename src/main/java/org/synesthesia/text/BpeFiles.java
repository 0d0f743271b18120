package org.synesthesia.text;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * Readers for a Hugging Face byte-level BPE tokenizer's files: {@code vocab.json} (token text to id) and
 * {@code merges.txt} (a {@code #version} header line, then one merge {@code "first second"} per line in rank
 * order). Problems are one-line {@link SynesthesiaException}s naming the file.
 */
public final class BpeFiles {
    private BpeFiles() {}

    /**
     * {@code vocab.json}: a JSON object from token text to an integer id. Ids are checked before anything is sized by
     * them: none negative, none shared, none beyond {@link Vocab#maxId} of the entry count (a few unused ids allowed).
     */
    public static Map<String, Integer> readVocab(Path file) {
        Map<String, Object> m = ReadFile.jsonObject(file, "not a vocabulary");
        if (m.isEmpty()) throw SynesthesiaException.inFile(file, "empty vocabulary");
        long limit = Vocab.maxId(m.size());
        Map<String, Integer> ids = new HashMap<>(m.size() * 2);
        Map<Integer, String> byId = new HashMap<>(m.size() * 2);
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!(e.getValue() instanceof Long id)) throw SynesthesiaException.inFile(file, "token '" + Vocab.shown(e.getKey()) + "' has a non-integer id");
            if (id < 0 || id > limit)
                throw SynesthesiaException.inFile(file, "token '" + Vocab.shown(e.getKey()) + "' has id " + id + ", outside 0.." + limit + " for " + m.size() + " tokens");
            String other = byId.put((int) (long) id, e.getKey());
            if (other != null) throw SynesthesiaException.inFile(file, "tokens '" + Vocab.shown(other) + "' and '" + Vocab.shown(e.getKey()) + "' share id " + id);
            ids.put(e.getKey(), (int) (long) id);
        }
        return ids;
    }

    /**
     * Lines {@code [from, to)} of a merges file as merges, each split on whitespace (Python's {@code str.split()})
     * into exactly two symbols; {@code source} names the file in messages (line numbers count from 1).
     */
    public static List<String[]> parseMerges(Object source, List<String> lines, int from, int to) {
        List<String[]> merges = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            if (parts.length != 2) throw SynesthesiaException.inFile(source, "line " + (i + 1) + " is not a merge of two symbols");
            merges.add(parts);
        }
        return merges;
    }
}
