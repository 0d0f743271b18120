package org.synesthesia.testing;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;

/**
 * Two GGUF files of one checkpoint: {@code encoded}, whose weights (rank >= 2, named {@code *.weight}) are in turn
 * Q8_ROW, PAL 8-bit with one table and PAL 4-bit with a table per quarter of the rows, and {@code decoded}, the same
 * weights as the float32 values those encodings decode to. A model run from both must agree to rounding.
 */
public final class EncodedTwins {
    private EncodedTwins() {}

    /** Writes both files, each starting with {@code metadata}'s keys; returns how many weights got each encoding (q8_row, pal8, pal4). */
    public static int[] write(WeightSource src, Consumer<GgufWriter> metadata, Path encoded, Path decoded) throws IOException {
        GgufWriter e = new GgufWriter(), d = new GgufWriter();
        metadata.accept(e);
        metadata.accept(d);
        int[] counts = new int[3];
        int i = 0;
        for (String n : src.names()) {
            StoredTensor t = src.get(n);
            if (t.rank() < 2 || !n.endsWith(".weight")) {
                e.tensor(t);
                d.tensor(t);
                continue;
            }
            int rows = (int) t.shape()[0], cols = (int) (t.elements() / rows);
            float[] w = t.toFloats();
            StoredTensor logical;
            int kind = i++ % 3;
            if (kind == 0) {
                byte[] q = Quantize.toQ8Row(w, rows, cols);
                e.q8Row(n, t.shape(), () -> MemorySegment.ofArray(q));
                logical = new StoredTensor(n, DType.Q8_ROW, t.shape(), MemorySegment.ofArray(q), "ref");
            } else {
                int bits = kind == 1 ? 8 : 4, group = kind == 1 || rows % 4 != 0 ? rows : rows / 4;
                var p = Quantize.palettize(w, rows, cols, bits, group, Quantize.uniformLut(w, rows, cols, bits, group));
                e.palettized(n, t.shape(), bits, group, () -> p);
                logical = new StoredTensor(n, DType.PAL, t.shape(), MemorySegment.ofArray(p.indices()), p.palette(), "ref");
            }
            counts[kind]++;
            d.tensor(n, DType.F32, t.shape(), Quantize.toF32(logical.toFloats()));
        }
        e.write(encoded);
        d.write(decoded);
        return counts;
    }

    /** The metadata writer of a model: {@code general.architecture} then {@code rest}. */
    public static Consumer<GgufWriter> architecture(String arch, Consumer<GgufWriter> rest) {
        return w -> {
            w.put("general.architecture", arch);
            rest.accept(w);
        };
    }
}
