package org.synesthesia.translator;

import java.util.ArrayList;
import java.util.List;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code count} training pairs held row-major: {@code clip} is (count, clipDim), {@code clap} is (count, clapDim);
 * {@code ids[i]} names where row i came from (dataset row id, image path or per-sample file name).
 */
public record EmbeddingPairs(float[] clip, int clipDim, float[] clap, int clapDim, List<String> ids) {
    public EmbeddingPairs {
        if (clipDim <= 0 || clapDim <= 0) throw new IllegalArgumentException("embedding widths must be positive");
        if (clip.length % clipDim != 0 || clap.length % clapDim != 0 || clip.length / clipDim != clap.length / clapDim)
            throw new IllegalArgumentException("clip and clap hold different numbers of rows");
        if (ids.size() != clip.length / clipDim) throw new IllegalArgumentException("one id per row expected");
        ids = List.copyOf(ids);
    }

    public int count() { return ids.size(); }

    /** Rows {@code rows} (in that order) as a new set. */
    public EmbeddingPairs select(int[] rows) {
        float[] a = new float[rows.length * clipDim], b = new float[rows.length * clapDim];
        List<String> names = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(clip, rows[i] * clipDim, a, i * clipDim, clipDim);
            System.arraycopy(clap, rows[i] * clapDim, b, i * clapDim, clapDim);
            names.add(ids.get(rows[i]));
        }
        return new EmbeddingPairs(a, clipDim, b, clapDim, names);
    }

    /** The sets one after another; all must share the widths ({@code what} names them in the error). */
    public static EmbeddingPairs concat(List<EmbeddingPairs> parts, List<String> what) {
        if (parts.isEmpty()) throw new SynesthesiaException("no training pairs given");
        EmbeddingPairs first = parts.get(0);
        long rows = 0;
        for (int i = 0; i < parts.size(); i++) {
            EmbeddingPairs p = parts.get(i);
            if (p.clipDim != first.clipDim || p.clapDim != first.clapDim)
                throw new SynesthesiaException(what.get(i) + ": embeddings are " + p.clipDim + "/" + p.clapDim
                        + " wide (CLIP/CLAP) but " + what.get(0) + " has " + first.clipDim + "/" + first.clapDim);
            rows += p.count();
        }
        if (rows * Math.max(first.clipDim, first.clapDim) > Integer.MAX_VALUE - 8)
            throw new SynesthesiaException(rows + " pairs do not fit in one training set; train on fewer shards");
        if (parts.size() == 1) return first;
        float[] a = new float[(int) rows * first.clipDim], b = new float[(int) rows * first.clapDim];
        List<String> names = new ArrayList<>((int) rows);
        int at = 0;
        for (EmbeddingPairs p : parts) {
            System.arraycopy(p.clip, 0, a, at * first.clipDim, p.clip.length);
            System.arraycopy(p.clap, 0, b, at * first.clapDim, p.clap.length);
            names.addAll(p.ids);
            at += p.count();
        }
        return new EmbeddingPairs(a, first.clipDim, b, first.clapDim, names);
    }
}
