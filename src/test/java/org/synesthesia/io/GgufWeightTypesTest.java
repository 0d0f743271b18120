package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;

/** A weight of every stored type, written with {@link GgufWriter#tensor(StoredTensor)}, reads back as written. */
class GgufWeightTypesTest {
    @TempDir Path tmp;

    @Test
    void everyWeightTypeRoundTrips() throws IOException {
        Random r = new Random(2);
        int rows = 6, cols = 64;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        List<StoredTensor> written = new ArrayList<>();
        for (DType t : DType.values()) {
            if (!t.isWeight()) continue;
            long[] shape = {rows, 2, cols / 2};
            StoredTensor st;
            if (t == DType.PAL) {
                var p = Quantize.palettize(w, rows, cols, 4, 3, Quantize.uniformLut(w, rows, cols, 4, 3));
                st = new StoredTensor("pal.weight", t, shape, MemorySegment.ofArray(p.indices()), p.palette(), "mem");
            } else {
                st = new StoredTensor(t.toString().toLowerCase() + ".weight", t, shape, MemorySegment.ofArray(t.format().encode(w, rows, cols)), "mem");
            }
            written.add(st);
        }
        GgufWriter gw = new GgufWriter();
        written.forEach(gw::tensor);
        Path f = tmp.resolve("types.gguf");
        gw.write(f);
        try (Gguf g = Gguf.open(f)) {
            assertEquals(written.size(), g.names().size());
            for (StoredTensor st : written) {
                StoredTensor back = g.get(st.name());
                assertEquals(st.dtype(), back.dtype(), st.name());
                assertArrayEquals(st.shape(), back.shape(), st.name());
                assertArrayEquals(st.data().toArray(ValueLayout.JAVA_BYTE), back.data().toArray(ValueLayout.JAVA_BYTE), st.name());
                assertArrayEquals(st.toFloats(), back.toFloats(), 0f, st.name());
            }
        }
    }
}
