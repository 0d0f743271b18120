package org.synesthesia.whisper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * openai {@code BeamSearchDecoder} for one audio: each step, every beam proposes its {@code beamSize + 1} most
 * likely next tokens with score {@code sum_logprob + logprob}; identical sequences count once. In descending score
 * order, candidates ending with the end of text join the finished set and the others become the new beams until
 * {@code beamSize} are kept. The beams' decoder caches are forked from their sources. Decoding completes when
 * {@code round(beamSize * patience)} sequences have finished; at the end, unfinished beams fill up to {@code beamSize}.
 */
final class BeamSearch {
    private final int beamSize;
    private final int maxCandidates;
    private final int eot;
    /** Finished sequences (initial tokens, sampled tokens, eot) and their sum log-probability, in insertion order. */
    private final LinkedHashMap<Key, Double> finished = new LinkedHashMap<>();
    private LogitsSource.Sequence[] spare;

    BeamSearch(int beamSize, double patience, int eot, LogitsSource.Sequence[] beams) {
        this.beamSize = beamSize;
        this.maxCandidates = (int) Math.rint(beamSize * patience);
        if (maxCandidates <= 0) throw new IllegalArgumentException("beam size x patience rounds to " + maxCandidates + " candidates");
        this.eot = eot;
        this.spare = new LogitsSource.Sequence[beams.length];
        for (int i = 0; i < beams.length; i++) spare[i] = beams[i].copy();
    }

    /** A token sequence as a map key. */
    private record Key(int[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        int last() {
            return ids[ids.length - 1];
        }
    }

    /**
     * One step: {@code tokens[b][0, length)} are the beams, {@code logits[b * V ..]} their filtered next-token logits.
     * Rewrites {@code tokens}, {@code sumLogprobs} and {@code beams} (their caches) to the new beams of length
     * {@code length + 1}; returns whether enough sequences have finished.
     */
    boolean update(int[][] tokens, int length, float[] logits, int V, double[] sumLogprobs, LogitsSource.Sequence[] beams) {
        LinkedHashMap<Key, Double> scores = new LinkedHashMap<>();
        Map<Key, Integer> sources = new HashMap<>();
        for (int b = 0; b < beamSize; b++) {
            int off = b * V;
            double lse = DecodingTask.logSumExp(logits, off, V);
            for (int token : topK(logits, off, V, beamSize + 1)) {
                int[] seq = Arrays.copyOf(tokens[b], length + 1);
                seq[length] = token;
                Key k = new Key(seq);
                scores.put(k, sumLogprobs[b] + (logits[off + token] - lse));
                sources.put(k, b);
            }
        }
        List<Map.Entry<Key, Double>> ranked = new ArrayList<>(scores.entrySet());
        ranked.sort((x, y) -> Double.compare(y.getValue(), x.getValue())); // stable: ties keep insertion order
        LinkedHashMap<Key, Double> newlyFinished = new LinkedHashMap<>();
        List<Key> next = new ArrayList<>(beamSize);
        int[] source = new int[beamSize];
        for (Map.Entry<Key, Double> e : ranked) {
            if (e.getKey().last() == eot) {
                newlyFinished.put(e.getKey(), e.getValue());
            } else {
                sumLogprobs[next.size()] = e.getValue();
                source[next.size()] = sources.get(e.getKey());
                next.add(e.getKey());
                if (next.size() == beamSize) break;
            }
        }
        if (next.size() < beamSize) throw new IllegalStateException("beam search kept " + next.size() + " of " + beamSize + " beams");

        // fork the caches: new beam n continues source[n]; a beam that continues itself keeps its cache in place,
        // the others are copied into spare sequences (the old ones they replace become the spares)
        LogitsSource.Sequence[] old = beams.clone();
        for (int n = 0; n < beamSize; n++) if (source[n] != n) spare[n].copyFrom(old[source[n]]);
        for (int n = 0; n < beamSize; n++)
            if (source[n] != n) {
                beams[n] = spare[n];
                spare[n] = old[n];
            }
        for (int n = 0; n < beamSize; n++) System.arraycopy(next.get(n).ids(), 0, tokens[n], 0, length + 1);

        // newly finished in score order (already sorted), while the candidate list has room
        for (Map.Entry<Key, Double> e : newlyFinished.entrySet()) {
            if (finished.size() >= maxCandidates) break;
            finished.put(e.getKey(), e.getValue());
        }
        return finished.size() >= maxCandidates;
    }

    /**
     * The finished sequences and their scores; when fewer than {@code beamSize} finished, the unfinished beams
     * (most likely first) with an end of text appended.
     */
    void finish(int[][] tokens, int length, double[] sumLogprobs, List<int[]> candidates, List<Double> scores) {
        if (finished.size() < beamSize) {
            Integer[] order = new Integer[beamSize];
            for (int i = 0; i < beamSize; i++) order[i] = beamSize - 1 - i;
            Arrays.sort(order, (a, b) -> Double.compare(sumLogprobs[b], sumLogprobs[a]));
            for (int j : order) {
                int[] seq = Arrays.copyOf(tokens[j], length + 1);
                seq[length] = eot;
                finished.put(new Key(seq), sumLogprobs[j]);
                if (finished.size() >= beamSize) break;
            }
        }
        for (Map.Entry<Key, Double> e : finished.entrySet()) {
            candidates.add(e.getKey().ids());
            scores.add(e.getValue());
        }
    }

    /** Indices of the {@code k} largest of {@code logits[off, off + n)}, largest first (lower index first on ties). */
    static int[] topK(float[] logits, int off, int n, int k) {
        k = Math.min(k, n);
        int[] idx = new int[k];
        float[] val = new float[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = logits[off + i];
            if (size == k && !(v > val[k - 1])) continue;
            int p = size < k ? size++ : k - 1;
            while (p > 0 && v > val[p - 1]) {
                val[p] = val[p - 1];
                idx[p] = idx[p - 1];
                p--;
            }
            val[p] = v;
            idx[p] = i;
        }
        return idx;
    }
}
