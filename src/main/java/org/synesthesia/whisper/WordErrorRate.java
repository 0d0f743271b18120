package org.synesthesia.whisper;

import java.util.List;

/**
 * Word error rate: the fewest word substitutions S, deletions D and insertions I that turn the reference into
 * the hypothesis (Levenshtein distance over words), over the number of reference words N:
 * {@code WER = (S + D + I) / N}. Corpus WER adds the counts of all utterances before dividing ({@link #plus}).
 *
 * @param substitutions  S
 * @param deletions      D (reference words missing from the hypothesis)
 * @param insertions     I (hypothesis words not in the reference)
 * @param referenceWords N
 */
record WordErrorRate(int substitutions, int deletions, int insertions, int referenceWords) {
    /** Counts for two whitespace-separated word sequences (normalise both first, e.g. {@link EnglishTextNormalizer}). */
    public static WordErrorRate of(String reference, String hypothesis) {
        return of(PyText.split(reference), PyText.split(hypothesis));
    }

    /**
     * Counts for word lists. Dynamic programme over prefixes: {@code d[i][j]} = edits turning {@code ref[0,i)}
     * into {@code hyp[0,j)}; the S/D/I split is read back along one optimal path (preferring a match or
     * substitution, then a deletion, then an insertion).
     */
    public static WordErrorRate of(List<String> ref, List<String> hyp) {
        int n = ref.size(), m = hyp.size();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) d[i][0] = i;
        for (int j = 0; j <= m; j++) d[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int sub = d[i - 1][j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1);
                d[i][j] = Math.min(sub, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
            }
        }
        int s = 0, del = 0, ins = 0, i = n, j = m;
        while (i > 0 || j > 0) {
            if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1)) {
                if (!ref.get(i - 1).equals(hyp.get(j - 1))) s++;
                i--;
                j--;
            } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
                del++;
                i--;
            } else {
                ins++;
                j--;
            }
        }
        return new WordErrorRate(s, del, ins, n);
    }

    /** S + D + I. */
    int errors() {
        return substitutions + deletions + insertions;
    }

    /** {@code (S + D + I) / N}; 0 when both are empty, infinite for words against an empty reference. */
    double wer() {
        if (referenceWords == 0) return errors() == 0 ? 0.0 : Double.POSITIVE_INFINITY;
        return (double) errors() / referenceWords;
    }

    /** Counts of two utterances together (corpus WER). */
    WordErrorRate plus(WordErrorRate o) {
        return new WordErrorRate(substitutions + o.substitutions, deletions + o.deletions, insertions + o.insertions,
                referenceWords + o.referenceWords);
    }
}
