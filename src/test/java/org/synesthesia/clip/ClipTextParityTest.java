package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * The CLIP text transformer against transformers' {@code CLIPTextModel} (goldens clip_text_random_quickgelu, SD 1.x
 * style, and clip_text_random_gelu, SD 2.x style, the latter from both its Hugging Face and its OpenCLIP weights).
 */
class ClipTextParityTest {
    /** A few times the recorded fp32-vs-fp64 difference (at most 2.1e-6) as the golden README suggests. */
    static final double TOL = 1e-4;

    record Golden(Map<String, Tensor> out, ClipTextConfig config, List<String> prompts) {
        int[] ids() {
            return ints(out.get("input_ids"));
        }
    }

    @SuppressWarnings("unchecked")
    static Golden golden(String set) throws IOException {
        Path json = SharedData.golden(set, "golden.json");
        Map<String, Object> g = Json.parseObject(Files.readString(json));
        ClipTextConfig c = ClipTextConfig.fromMap((Map<String, Object>) g.get("config"), json.toString());
        return new Golden(SafeTensors.readAll(SharedData.golden(set, "golden.safetensors")), c, (List<String>) g.get("prompts"));
    }

    static int[] ints(Tensor t) {
        float[] f = t.toArray();
        int[] a = new int[f.length];
        for (int i = 0; i < f.length; i++) a[i] = (int) f[i];
        return a;
    }

    static void checkAll(String what, Golden g, ClipTextOutput o) {
        Assert.close(what + " last_hidden_state", g.out().get("last_hidden_state"), o.lastHiddenState(), TOL);
        Assert.close(what + " penultimate_after_final_ln", g.out().get("penultimate_after_final_ln"), o.penultimateAfterFinalLn(), TOL);
        Assert.close(what + " pooler_output", g.out().get("pooler_output"), o.poolerOutput(), TOL);
        assertEquals(3, o.hiddenStates().size());
        for (int i = 0; i < 3; i++) Assert.close(what + " hidden_states." + i, g.out().get("hidden_states." + i), o.hiddenStates().get(i), TOL);
    }

    static ClipTextOutput run(Path weights, ClipTextConfig c, int[] ids) {
        try (WeightSource src = WeightSources.open(weights)) {
            ClipTextModel m = ClipTextModel.bind(ClipNames.of(src), c);
            return m.forward(ids, ids.length / 77, Tracer.NONE);
        }
    }

    @Test
    void quickGeluHuggingFaceNames() throws IOException {
        Golden g = golden("clip_text_random_quickgelu");
        assertEquals(ClipTextConfig.Activation.QUICK_GELU, g.config().activation());
        checkAll("quickgelu", g, run(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"), g.config(), g.ids()));
    }

    @Test
    void geluHuggingFaceNames() throws IOException {
        Golden g = golden("clip_text_random_gelu");
        assertEquals(ClipTextConfig.Activation.GELU, g.config().activation());
        checkAll("gelu hf", g, run(SharedData.golden("clip_text_random_gelu", "weights.safetensors"), g.config(), g.ids()));
    }

    @Test
    void geluOpenClipNames() throws IOException {
        Golden g = golden("clip_text_random_gelu");
        checkAll("gelu openclip", g, run(SharedData.golden("clip_text_random_gelu", "weights_ldm_openclip.safetensors"), g.config(), g.ids()));
    }

    /** Text to embeddings: our tokenizer gives the golden's ids (SD 1.x pads with 49407, SD 2.x with 0) and so its outputs. */
    @Test
    void promptsThroughTokenizerAndModel() throws IOException {
        ClipTokenizer tok = ClipTokenizer.fromBpeFile(SharedData.data("tokenizers/bpe_simple_vocab_16e6.txt.gz"));
        for (String set : List.of("clip_text_random_quickgelu", "clip_text_random_gelu")) {
            Golden g = golden(set);
            int pad = set.endsWith("quickgelu") ? ClipTokenizer.END_OF_TEXT : ClipTokenizer.PAD_ZERO;
            assertEquals(3, g.prompts().size());
            int[] ids = new int[3 * 77];
            for (int i = 0; i < 3; i++) System.arraycopy(tok.encodeForModel(g.prompts().get(i), pad), 0, ids, i * 77, 77);
            assertArrayEquals(g.ids(), ids, set + ": token ids");
            Tensor embeds;
            try (ClipTextModel m = ClipTextModel.load(SharedData.golden(set, "weights.safetensors"), g.config())) {
                embeds = m.encode(ids, 3, 0);
                Assert.close(set + " encode(skip 1)", g.out().get("penultimate_after_final_ln"), m.encode(ids, 3, 1), TOL);
            }
            Assert.close(set + " prompt embeds", g.out().get("last_hidden_state"), embeds, TOL);
        }
    }

    /** One prompt at a time gives the batch's rows (sequences do not see each other). */
    @Test
    void singleSequenceMatchesItsBatchRow() throws IOException {
        Golden g = golden("clip_text_random_quickgelu");
        int[] ids = java.util.Arrays.copyOfRange(g.ids(), 77, 154);
        try (ClipTextModel m = ClipTextModel.load(SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"), g.config())) {
            Tensor one = m.encode(ids, 0);
            Assert.close("row 1", g.out().get("last_hidden_state").slice(0, 1, 2).contiguous(), one, TOL);
            // a shorter sequence: causal attention makes its rows the prefix of the full sequence's
            Tensor prefix = m.encode(java.util.Arrays.copyOf(ids, 10), 0);
            Assert.close("prefix", g.out().get("last_hidden_state").slice(0, 1, 2).slice(1, 0, 10).contiguous(), prefix, TOL);
        }
    }
}
