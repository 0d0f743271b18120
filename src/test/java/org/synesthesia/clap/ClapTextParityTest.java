package org.synesthesia.clap;

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
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * CLAP's text branch against AudioLDM's own conditioner (golden clap_text_random: random RoBERTa 64 wide, 2 layers,
 * 4 heads, projection 64 -> 512 -> 512, under the checkpoint's {@code cond_stage_model.model.} names), every stored
 * prompt, its intermediates, and from the text through the tokenizer.
 */
class ClapTextParityTest {
    /** The golden README's suggested tolerance (fp32 vs fp64 at most 1.1e-6). */
    static final double TOL = 1e-5;
    static final String SET = "clap_text_random";

    record Golden(Map<String, Tensor> out, ClapTextConfig config, List<String> prompts) {}

    @SuppressWarnings("unchecked")
    static Golden golden() throws IOException {
        Path json = SharedData.golden(SET, "golden.json");
        Map<String, Object> g = Json.parseObject(Files.readString(json));
        ClapTextConfig c = ClapTextConfig.fromMap((Map<String, Object>) g.get("roberta_config"), json.toString());
        List<String> prompts = (List<String>) ((Map<String, Object>) g.get("inputs")).get("prompts");
        return new Golden(SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors")), c, prompts);
    }

    static int[] ints(Tensor t) {
        float[] f = t.toArray();
        int[] a = new int[f.length];
        for (int i = 0; i < f.length; i++) a[i] = (int) f[i];
        return a;
    }

    static Tensor reshape(Tensor t, int... shape) {
        return Tensor.of(t.toArray(), shape);
    }

    @Test
    void configIsRobertaWithTheGoldensProjection() throws IOException {
        ClapTextConfig c = golden().config();
        assertEquals(new ClapTextConfig(50265, 64, 2, 4, 256, 514, 1, 1e-5f, 1, Activation.GELU, 512, 512), c);
        assertEquals(c, ClapTextConfig.fromMap(c.toMap(), "toMap"));
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            // heads are not in the tensors: inferred as width / 64 (roberta-base's 12 at 768)
            ClapTextConfig inferred = ClapTextConfig.infer(ClapNames.of(src));
            assertEquals(new ClapTextConfig(50265, 64, 2, 1, 256, 514, 1, 1e-5f, 1, Activation.GELU, 512, 512), inferred);
        }
    }

    @Test
    void everyPromptAndItsIntermediates() throws IOException {
        Golden g = golden();
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            ClapTextModel m = ClapTextModel.bind(ClapNames.of(src), g.config());
            for (int i = 0; i < g.prompts().size(); i++) {
                String p = "prompt" + i + ".", what = "prompt " + i + " " + Json.write(g.prompts().get(i));
                int[] ids = ints(g.out().get(p + "input_ids")), mask = ints(g.out().get(p + "attention_mask"));
                assertArrayEquals(ints(g.out().get(p + "position_ids")), RobertaEmbeddings.positionIds(ids, 1, 512, 1), what + ": position_ids");
                Tracer t = Tracer.of("text_branch.embeddings", "text_branch.encoder.layer.0");
                ClapTextOutput o = m.forward(ids, mask, 1, t);
                Assert.close(what + " last_hidden_state", g.out().get(p + "roberta.last_hidden_state"), o.lastHiddenState(), TOL);
                Assert.close(what + " pooler_output", g.out().get(p + "roberta.pooler_output"), o.poolerOutput(), TOL);
                Assert.close(what + " text_projection", g.out().get(p + "text_projection"), o.projection(), TOL);
                Assert.close(what + " cond", g.out().get(p + "cond"), reshape(o.embedding(), 1, 1, 512), TOL);
                Assert.close(what + " cond, embed()", g.out().get(p + "cond"), reshape(m.embed(ids, mask, 1), 1, 1, 512), TOL);
                if (g.out().containsKey(p + "roberta.embeddings")) {
                    Assert.close(what + " embeddings", g.out().get(p + "roberta.embeddings"), t.captured().get("text_branch.embeddings"), TOL);
                    Assert.close(what + " layer 0", g.out().get(p + "roberta.layer0"), t.captured().get("text_branch.encoder.layer.0"), TOL);
                }
            }
        }
    }

    /** From the text: tokenizer ids and masks as stored, embeddings equal to cond, and CLAP("") equal to uncond. */
    @Test
    void fromTextThroughTheTokenizer() throws IOException {
        Golden g = golden();
        RobertaTokenizer tok = RobertaTokenizer.fromFolder(SharedData.data("tokenizers/roberta-base"));
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            ClapTextModel m = ClapTextModel.bind(ClapNames.of(src), g.config());
            int n = g.prompts().size();
            for (int i = 0; i < n; i++) {
                RobertaTokenizer.Encoding e = tok.encodeForModel(g.prompts().get(i));
                float[] ids = g.out().get("prompt" + i + ".input_ids").toArray(), mask = g.out().get("prompt" + i + ".attention_mask").toArray();
                for (int t = 0; t < 512; t++) {
                    assertEquals(ids[t], (float) e.inputIds()[t], "prompt " + i + " id " + t);
                    assertEquals(mask[t], (float) e.attentionMask()[t], "prompt " + i + " mask " + t);
                }
            }
            Tensor all = m.embed(tok, g.prompts());
            assertArrayEquals(new int[] {n, 512}, all.shape());
            float[] a = all.toArray();
            for (int i = 0; i < n; i++)
                Assert.close("prompt " + i + " cond from text", g.out().get("prompt" + i + ".cond").toArray(),
                        java.util.Arrays.copyOfRange(a, i * 512, (i + 1) * 512), TOL, 0);
            Assert.close("uncond = CLAP(\"\")", g.out().get("uncond"), reshape(m.embed(tok, List.of("")), 1, 1, 512), TOL);
        }
    }
}
