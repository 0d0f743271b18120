package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/** Lookups through a {@link NameMapping}: renamed tensors, row blocks of a stacked tensor, messages for absent ones. */
class WeightsMappingTest {
    @Test
    void rowBlocksAndAbsentNames() {
        try (MemoryWeightSource src = new MemoryWeightSource("mem.safetensors")) {
            MemorySegment qkv = src.allocate("blk.in_proj_weight", DType.F32, 6, 4);
            for (int i = 0; i < 24; i++) qkv.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, i);
            src.allocate("blk.out.w", DType.F32, 2, 4);
            Map<String, NameMapping.RowBlock> blocks = Map.of(
                    "attn.q.weight", new NameMapping.RowBlock("blk.in_proj_weight", 0, 3, "q"),
                    "attn.v.weight", new NameMapping.RowBlock("blk.in_proj_weight", 2, 3, "v"));
            NameMapping m = new NameMapping("test names", Map.of("attn.out.weight", "blk.out.w"), blocks, c -> "blk." + c);
            assertFalse(m.isIdentity());
            Weights w = Weights.of("toy", src, m);
            assertTrue(w.has("attn.v.weight") && w.has("attn.out.weight") && !w.has("attn.k.weight"));
            assertEquals(3, w.canonicalNames().size());
            StoredTensor v = w.get("attn.v.weight", 2, 4);
            assertEquals("blk.in_proj_weight[v]", v.name());
            assertArrayEquals(new float[] {16, 17, 18, 19, 20, 21, 22, 23}, v.toFloats());
            assertArrayEquals(new long[] {2, 4}, w.shape("attn.q.weight").orElseThrow());
            assertEquals(2, w.matrix("attn.out.weight", 2, 4).rows());

            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> w.get("attn.k.weight"));
            assertEquals("mem.safetensors: no tensor 'blk.attn.k.weight' (toy's attn.k.weight)", e.getMessage());
            e = assertThrows(SynesthesiaException.class, () -> w.get("attn.v.weight", 3, 4));
            assertEquals("mem.safetensors: tensor blk.in_proj_weight[v] has shape [2, 4], expected [3, 4]", e.getMessage());

            Weights plain = Weights.of("toy", src, new NameMapping("test names", Map.of()));
            e = assertThrows(SynesthesiaException.class, () -> plain.get("attn.k.weight"));
            assertEquals("mem.safetensors: no toy tensor 'attn.k.weight' (test names)", e.getMessage());
            assertTrue(Arrays.asList(e.getMessage().split("\n")).size() == 1);
        }
    }

    @Test
    void stacksThatDoNotDivide() {
        try (MemoryWeightSource src = new MemoryWeightSource("mem")) {
            src.allocate("s", DType.F32, 5, 2);
            StoredTensor s = src.get("s");
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> RowBlocks.view(s, 0, 3, "q"));
            assertTrue(e.getMessage().startsWith("mem: tensor s has shape [5, 2]"), e.getMessage());
        }
    }
}
