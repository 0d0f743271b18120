package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.RowBlocks;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Palette;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** Checkpoint names to transformers' names: Hugging Face under any prefix, OpenCLIP with in_proj split into views. */
class ClipNamesTest {
    @TempDir
    Path dir;

    static final String GELU = "clip_text_random_gelu";

    @Test
    void openClipAndHuggingFaceGiveTheSameTensors() {
        try (WeightSource hf = WeightSources.open(SharedData.golden(GELU, "weights.safetensors"));
             WeightSource oc = WeightSources.open(SharedData.golden(GELU, "weights_ldm_openclip.safetensors"))) {
            Weights h = ClipNames.of(hf), o = ClipNames.of(oc);
            assertEquals(ClipNames.Naming.HUGGING_FACE, ClipNames.naming(h));
            assertEquals("text_model.", ClipNames.prefix(h));
            assertEquals(ClipNames.Naming.OPEN_CLIP, ClipNames.naming(o));
            assertEquals("cond_stage_model.model.", ClipNames.prefix(o));
            assertEquals(2, ClipNames.layerCount(h));
            assertEquals(2, ClipNames.layerCount(o));
            assertEquals(new TreeSet<>(h.canonicalNames()), new TreeSet<>(o.canonicalNames()));
            assertEquals(2 * 16 + 4, h.canonicalNames().size()); // position_ids is not a weight
            for (String n : h.canonicalNames()) {
                StoredTensor a = h.get(n), b = o.get(n);
                assertArrayEquals(a.shape(), b.shape(), n);
                assertArrayEquals(a.toFloats(), b.toFloats(), n);
            }
            StoredTensor k = o.get("text_model.encoder.layers.1.self_attn.k_proj.weight");
            assertEquals("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight[k_proj]", k.name());
            // a view of the stored bytes, not a copy
            StoredTensor whole = oc.get("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight");
            assertEquals(whole.data().address() + 64 * 64 * 2, k.data().address());
        }
    }

    static Map<String, org.synesthesia.tensor.Tensor> renamed(Path weights, String from, String to, Set<String> skip) {
        Map<String, org.synesthesia.tensor.Tensor> in = SafeTensors.readAll(weights), out = new LinkedHashMap<>();
        for (Map.Entry<String, org.synesthesia.tensor.Tensor> e : in.entrySet())
            if (!skip.contains(e.getKey())) out.put(to + e.getKey().substring(from.length()), e.getValue());
        return out;
    }

    /** SD 1.x single-file names (and the older layout without {@code text_model.}), beside UNet tensors. */
    @Test
    void sd1SingleFilePrefixes() throws IOException {
        ClipTextParityTest.Golden g = ClipTextParityTest.golden("clip_text_random_quickgelu");
        Path w = SharedData.golden("clip_text_random_quickgelu", "weights.safetensors");
        for (String prefix : List.of("cond_stage_model.transformer.text_model.", "cond_stage_model.transformer.")) {
            Map<String, org.synesthesia.tensor.Tensor> t = renamed(w, "text_model.", prefix, Set.of());
            t.put("model.diffusion_model.conv_in.weight", org.synesthesia.tensor.Tensor.zeros(4, 4, 3, 3));
            Path f = dir.resolve("sd1.safetensors");
            SafeTensors.write(f, t, Map.of());
            try (WeightSource src = WeightSources.open(f)) {
                assertTrue(ClipNames.isClipText(src.names()));
                Weights n = ClipNames.of(src);
                assertEquals(prefix, ClipNames.prefix(n));
                ClipTextOutput o = ClipTextModel.bind(n, g.config()).forward(g.ids(), 3, Tracer.NONE);
                Assert.close(prefix + " last_hidden_state", g.out().get("last_hidden_state"), o.lastHiddenState(), ClipTextParityTest.TOL);
            }
        }
    }

    @Test
    void twoEncodersAreAmbiguousAndAGapIsAnError() throws IOException {
        Path w = SharedData.golden("clip_text_random_quickgelu", "weights.safetensors");
        Map<String, org.synesthesia.tensor.Tensor> t = renamed(w, "text_model.", "conditioner.embedders.0.transformer.text_model.", Set.of());
        t.putAll(renamed(w, "text_model.", "text_model.", Set.of()));
        Path f = dir.resolve("two.safetensors");
        SafeTensors.write(f, t, Map.of());
        try (WeightSource src = WeightSources.open(f)) {
            assertEquals(2, ClipNames.find(src.names()).size());
            assertFalse(ClipNames.isClipText(src.names()));
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipNames.of(src));
            assertTrue(e.getMessage().contains("'conditioner.embedders.0.transformer.text_model.'") && e.getMessage().contains(f.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        Set<String> layer0 = new TreeSet<>();
        for (String n : SafeTensors.readAll(w).keySet()) if (n.startsWith("text_model.encoder.layers.0.") && !n.contains("q_proj")) layer0.add(n);
        Map<String, org.synesthesia.tensor.Tensor> gap = renamed(w, "text_model.", "text_model.", layer0);
        // layer 0 keeps only q_proj (so the model is still found), layer 1 complete: a missing tensor when binding
        Path f2 = dir.resolve("gap.safetensors");
        SafeTensors.write(f2, gap, Map.of());
        try (WeightSource src = WeightSources.open(f2)) {
            Weights n = ClipNames.of(src);
            ClipTextConfig c = ClipTextParityTest.golden("clip_text_random_quickgelu").config();
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipTextWeights.bind(n, c));
            assertTrue(e.getMessage().contains("text_model.encoder.layers.0.layer_norm1.weight") && e.getMessage().contains(f2.toString()), e.getMessage());
        }
        Map<String, org.synesthesia.tensor.Tensor> skip = renamed(w, "text_model.", "text_model.", Set.of());
        for (String n : List.copyOf(skip.keySet())) if (n.startsWith("text_model.encoder.layers.1.")) skip.put(n.replace("layers.1.", "layers.2."), skip.remove(n));
        Path f3 = dir.resolve("skip.safetensors");
        SafeTensors.write(f3, skip, Map.of());
        try (WeightSource src = WeightSources.open(f3)) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipNames.of(src));
            assertTrue(e.getMessage().contains("layer 1 is missing"), e.getMessage());
        }
    }

    @Test
    void wrongShapeNamesFileAndTensor() throws IOException {
        Path w = SharedData.golden("clip_text_random_quickgelu", "weights.safetensors");
        Map<String, org.synesthesia.tensor.Tensor> t = renamed(w, "text_model.", "text_model.", Set.of());
        t.put("text_model.encoder.layers.1.mlp.fc2.weight", org.synesthesia.tensor.Tensor.zeros(64, 255));
        Path f = dir.resolve("bad.safetensors");
        SafeTensors.write(f, t, Map.of());
        ClipTextConfig c = ClipTextParityTest.golden("clip_text_random_quickgelu").config();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClipTextModel.load(f, c));
        assertEquals(f + ": tensor text_model.encoder.layers.1.mlp.fc2.weight has shape [64, 255], expected [64, 256]", e.getMessage());
    }

    /** q, k, v thirds of block-quantized and palettized stacks decode as the matching rows of the whole. */
    @Test
    void rowThirdsOfQuantizedStacks() {
        Random r = new Random(5);
        try (Arena arena = Arena.ofConfined()) {
            int rows = 96, cols = 64;
            MemorySegment q8 = arena.allocate(DType.Q8_0.bytesFor((long) rows * cols));
            for (long b = 0; b < q8.byteSize(); b += 34) {
                q8.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, b, Float.floatToFloat16(0.01f + r.nextFloat()));
                for (int i = 0; i < 32; i++) q8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b + 2 + i, (byte) (r.nextInt(255) - 127));
            }
            checkThirds(new StoredTensor("w", DType.Q8_0, new long[] {rows, cols}, q8, "mem"), rows, cols);
            MemorySegment idx = arena.allocate(Palette.rowBytes(cols, 4) * rows);
            for (long i = 0; i < idx.byteSize(); i++) idx.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
            for (int gs : new int[] {96, 32, 16}) {
                float[] lut = new float[rows / gs * 16];
                for (int i = 0; i < lut.length; i++) lut[i] = (float) r.nextGaussian();
                checkThirds(new StoredTensor("p", DType.PAL, new long[] {rows, cols}, idx, new Palette(4, gs, lut), "mem"), rows, cols);
            }
            float[] lut = new float[2 * 16];
            StoredTensor bad = new StoredTensor("p", DType.PAL, new long[] {rows, cols}, idx, new Palette(4, 48, lut), "mem");
            assertThrows(SynesthesiaException.class, () -> RowBlocks.view(bad, 1, 3, "k_proj"));
        }
    }

    private static void checkThirds(StoredTensor whole, int rows, int cols) {
        float[] all = WeightMatrix.of(whole).toFloats();
        int third = rows / 3 * cols;
        for (int p = 0; p < 3; p++) {
            StoredTensor t = RowBlocks.view(whole, p, 3, "part");
            assertArrayEquals(new long[] {rows / 3, cols}, t.shape());
            assertArrayEquals(java.util.Arrays.copyOfRange(all, p * third, (p + 1) * third), WeightMatrix.of(t).toFloats(), whole.dtype() + " part " + p);
        }
    }
}
