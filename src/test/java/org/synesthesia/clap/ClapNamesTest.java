package org.synesthesia.clap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** CLAP text names: AudioLDM's prefix and bare CLAP names map to the same canonical names; bad checkpoints give one line. */
class ClapNamesTest {
    static final String PREFIX = "cond_stage_model.model.";

    @TempDir
    Path dir;

    static Map<String, Tensor> goldenWeights() {
        return SafeTensors.readAll(SharedData.golden(ClapTextParityTest.SET, "weights.safetensors"));
    }

    /** The golden's tensors without {@code drop}, renamed by removing AudioLDM's prefix, written to {@code name}. */
    private Path bare(String name, String drop) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        goldenWeights().forEach((k, v) -> {
            if (!k.equals(drop)) out.put(k.substring(PREFIX.length()), v);
        });
        Path p = dir.resolve(name);
        SafeTensors.write(p, out, Map.of());
        return p;
    }

    @Test
    void audioLdmNamesMapEveryTextTensorButPositionIds() {
        try (WeightSource src = WeightSources.open(SharedData.golden(ClapTextParityTest.SET, "weights.safetensors"))) {
            NameMapping m = ClapNames.mapping(src);
            assertEquals(src.names().size() - 1, m.canonicalToStored().size());
            assertFalse(m.canonicalToStored().containsKey("text_branch.embeddings.position_ids"));
            m.canonicalToStored().forEach((c, s) -> assertEquals(PREFIX + c, s));
            assertEquals("CLAP names under '" + PREFIX + "'", m.layout());
            assertEquals(2, ClapNames.layerCount(Weights.of("CLAP text", src, m)));
        }
    }

    @Test
    void bareNamesGiveTheSameEmbedding() throws Exception {
        var g = ClapTextParityTest.golden();
        int[] ids = ClapTextParityTest.ints(g.out().get("prompt1.input_ids")), mask = ClapTextParityTest.ints(g.out().get("prompt1.attention_mask"));
        try (WeightSource src = WeightSources.open(bare("bare.safetensors", ""))) {
            NameMapping m = ClapNames.mapping(src);
            assertTrue(m.isIdentity());
            assertEquals("CLAP names", m.layout());
            ClapTextModel model = ClapTextModel.bind(ClapNames.of(src), g.config());
            Assert.close("bare names", g.out().get("prompt1.cond").toArray(), model.embed(ids, mask, 1).toArray(), ClapTextParityTest.TOL, 0);
        }
    }

    @Test
    void transformersNamesGiveTheSameEmbedding() throws Exception {
        var g = ClapTextParityTest.golden();
        int[] ids = ClapTextParityTest.ints(g.out().get("prompt1.input_ids")), mask = ClapTextParityTest.ints(g.out().get("prompt1.attention_mask"));
        Map<String, Tensor> out = new LinkedHashMap<>();
        goldenWeights().forEach((k, v) -> out.put(ClapNames.toTransformers(k.substring(PREFIX.length())), v));
        assertTrue(out.containsKey("text_model.embeddings.word_embeddings.weight") && out.containsKey("text_projection.linear2.bias"), out.keySet().toString());
        Path p = dir.resolve("hf.safetensors");
        SafeTensors.write(p, out, Map.of());
        try (WeightSource src = WeightSources.open(p)) {
            NameMapping m = ClapNames.mapping(src);
            assertEquals("transformers CLAP names", m.layout());
            assertEquals(src.names().size() - 1, m.canonicalToStored().size());
            m.canonicalToStored().forEach((c, s) -> assertEquals(c, ClapNames.fromTransformers(s)));
            ClapTextModel model = ClapTextModel.bind(ClapNames.of(src), g.config());
            Assert.close("transformers names", g.out().get("prompt1.cond").toArray(), model.embed(ids, mask, 1).toArray(), ClapTextParityTest.TOL, 0);
        }
    }

    @Test
    void missingTensorsAndLayersAreOneLineErrors() throws Exception {
        var g = ClapTextParityTest.golden();
        try (WeightSource src = WeightSources.open(bare("no-pooler.safetensors", PREFIX + "text_branch.pooler.dense.weight"))) {
            var e = assertThrows(SynesthesiaException.class, () -> ClapTextModel.bind(ClapNames.of(src), g.config()));
            assertTrue(e.getMessage().contains("no tensor 'text_branch.pooler.dense.weight'"), e.getMessage());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        goldenWeights().forEach((k, v) -> out.put(k.replace(".layer.1.", ".layer.2."), v));
        Path gap = dir.resolve("gap.safetensors");
        SafeTensors.write(gap, out, Map.of());
        try (WeightSource src = WeightSources.open(gap)) {
            var e = assertThrows(SynesthesiaException.class, () -> ClapNames.mapping(src));
            assertTrue(e.getMessage().endsWith("CLAP text layers 0..2 but layer 1 is missing"), e.getMessage());
        }
        try (WeightSource src = WeightSources.open(SharedData.golden("clip_text_random_gelu", "weights.safetensors"))) {
            assertEquals(List.of(), ClapNames.find(src.names()));
            var e = assertThrows(SynesthesiaException.class, () -> ClapNames.mapping(src));
            assertTrue(e.getMessage().contains("no CLAP text branch"), e.getMessage());
        }
    }

    /** Random weights of a small config bind and give unit-length embeddings (the benchmark path). */
    @Test
    void randomWeightsGiveUnitEmbeddings() {
        ClapTextConfig c = new ClapTextConfig(300, 32, 2, 2, 64, 40, 1, 1e-5f, 1, Activation.GELU, 48, 24);
        try (Arena arena = Arena.ofConfined()) {
            ClapTextModel m = ClapTextModel.bind(Weights.random("CLAP text", 7, arena), c);
            float[] e = m.embed(new int[] {0, 5, 9, 2, 1, 1, 0, 7, 2, 1, 1, 1}, new int[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0}, 2).toArray();
            for (int b = 0; b < 2; b++) {
                double ss = 0;
                for (int i = 0; i < 24; i++) ss += e[b * 24 + i] * e[b * 24 + i];
                assertEquals(1, ss, 1e-5);
            }
            var ex = assertThrows(SynesthesiaException.class, () -> m.embed(new int[39], null, 1));
            assertEquals("CLAP text: sequences of 39 tokens, the model has positions for 38", ex.getMessage());
        }
    }
}
