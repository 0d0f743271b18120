package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;

/** {@code inspect} on a converted file: encoded weights show their encoding, lookup tables are not listed. */
class InspectEncodedTest {
    @TempDir Path tmp;

    @Test
    void showsEncodings() throws Exception {
        float[] w = new float[128 * 4];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i);
        Quantize.Palettized p = Quantize.palettize(w, 128, 4, 4, 64, Quantize.uniformLut(w, 128, 4, 4, 64));
        GgufWriter gw = new GgufWriter();
        gw.put("synesthesia.tensor.a.encoding", "pal").put("synesthesia.tensor.a.shape", GgufValue.array(GgufValue.Type.UINT64, List.of(128L, 4L)))
                .put("synesthesia.tensor.a.bits", GgufValue.u32(4)).put("synesthesia.tensor.a.group_size", GgufValue.u32(64));
        gw.tensor("a", DType.I8, new long[] {128, 2}, p.indices());
        gw.tensor("a.lut", DType.F32, new long[] {2, 16}, Quantize.toF32(p.palette().lut()));
        gw.put("synesthesia.tensor.b.encoding", "q8_row").put("synesthesia.tensor.b.shape", GgufValue.array(GgufValue.Type.UINT64, List.of(128L, 4L)));
        gw.tensor("b", DType.I8, new long[] {128, 8}, Quantize.toQ8Row(w, 128, 4));
        Path f = tmp.resolve("m.gguf");
        gw.write(f);
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().matches("(?s).*\\n  a +PAL4/g64 +\\[128, 4\\] +pal bits=4 group_size=64\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  b +Q8_ROW +\\[128, 4\\] +q8_row\\n.*"), r.out());
        // per-tensor keys are folded into the rows: none listed before the tensors, one line says so
        assertFalse(r.out().contains("synesthesia.tensor.a.bits"), r.out());
        assertTrue(r.out().contains("(6 per-tensor synesthesia.tensor.* entries in the tensor rows; --full lists them)"), r.out());
        CliRun all = CliRun.of("inspect", f.toString(), "--full");
        assertEquals(0, all.rc(), all.err());
        assertTrue(all.out().contains("  synesthesia.tensor.a.bits = 4\n"), all.out());
        assertTrue(all.out().matches("(?s).*\\n  a +PAL4/g64 +\\[128, 4\\]\\n.*"), all.out());
        assertFalse(r.out().contains("a.lut  "), r.out());
        assertTrue(r.out().contains("total: 2 tensors, 1,024 parameters"), r.out());
    }
}
