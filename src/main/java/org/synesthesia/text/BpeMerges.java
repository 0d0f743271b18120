package org.synesthesia.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A BPE merge table as {@code merges.txt} gives it (pair {@code i} has rank {@code i}; a pair listed twice keeps its
 * first rank) and the greedy merge loop over one pre-tokenised word: start from its characters, the last one
 * suffixed with {@code endOfWord} (CLIP's {@code </w>}, empty for GPT-2/RoBERTa); while some adjacent pair has a
 * rank, every non-overlapping occurrence (left to right) of the lowest-ranked pair becomes one symbol.
 * Thread-safe; results are cached by word.
 */
public final class BpeMerges {
    private static final int CACHE_LIMIT = 50_000;

    private final List<String[]> pairs;
    private final Map<String, Integer> ranks;
    private final String endOfWord;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    /** {@code pairs.get(i)} = {@code {first, second}} of rank {@code i}. */
    public BpeMerges(List<String[]> pairs, String endOfWord) {
        this.pairs = List.copyOf(pairs);
        this.endOfWord = endOfWord;
        this.ranks = new HashMap<>(pairs.size() * 2);
        for (int i = 0; i < pairs.size(); i++) ranks.putIfAbsent(pairs.get(i)[0] + " " + pairs.get(i)[1], i);
    }

    /** Number of merges. */
    int size() {
        return pairs.size();
    }

    /** The merges in rank order, each "first second". */
    public List<String> asStrings() {
        List<String> out = new ArrayList<>(pairs.size());
        for (String[] m : pairs) out.add(m[0] + " " + m[1]);
        return out;
    }

    /** The BPE symbols of one non-empty word (already in {@link ByteLevel} characters); an unmodifiable list. */
    public List<String> apply(String word) {
        List<String> cached = cache.get(word);
        if (cached != null) return cached;
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) symbols.add(String.valueOf(word.charAt(i)));
        symbols.set(symbols.size() - 1, symbols.getLast() + endOfWord);
        List<String> out = List.copyOf(merge(symbols, ranks));
        if (cache.size() > CACHE_LIMIT) cache.clear();
        cache.put(word, out);
        return out;
    }

    /** The merge loop: {@code ranks} keys are {@code "first second"}. */
    static List<String> merge(List<String> symbols, Map<String, Integer> ranks) {
        List<String> word = new ArrayList<>(symbols);
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null, second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        return word;
    }
}
