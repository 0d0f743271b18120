package org.synesthesia.clap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.Traces;
import org.synesthesia.util.Json;

/** {@code synesthesia trace} on the CLAP text branch of golden clap_text_random, in-process, under the CLAP module's names. */
class ClapTraceTest {
    @TempDir
    Path dir;

    /** The golden's weights linked into a folder beside its transformers RobertaConfig as {@code config.json} (heads are not in the tensors). */
    private Path model() throws Exception {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden(ClapTextParityTest.SET, "golden.json")));
        Path folder = Files.createDirectories(dir.resolve("clap"));
        Files.writeString(folder.resolve("config.json"), Json.write(g.get("roberta_config_full")));
        Path w = folder.resolve("weights.safetensors");
        Files.createSymbolicLink(w, SharedData.golden(ClapTextParityTest.SET, "weights.safetensors").toAbsolutePath());
        return w;
    }

    @Test
    void promptZeroWithCaptures() throws Exception {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(ClapTextParityTest.SET, "golden.safetensors"));
        Map<String, Tensor> taps = Traces.run(dir, model(), Map.of("input_ids", g.get("prompt0.input_ids"), "attention_mask", g.get("prompt0.attention_mask")),
                "--capture", "text_branch.embeddings", "--capture", "text_branch.encoder.layer.*", "--capture", "text_branch.pooler",
                "--capture", "text_projection");
        assertEquals(List.of("text_branch.embeddings", "text_branch.encoder.layer.0", "text_branch.encoder.layer.1", "text_branch.pooler",
                "text_projection", "output"), List.copyOf(taps.keySet()));
        double tol = ClapTextParityTest.TOL;
        Assert.close("embeddings", g.get("prompt0.roberta.embeddings"), taps.get("text_branch.embeddings"), tol);
        Assert.close("layer 0", g.get("prompt0.roberta.layer0"), taps.get("text_branch.encoder.layer.0"), tol);
        Assert.close("layer 1", g.get("prompt0.roberta.last_hidden_state"), taps.get("text_branch.encoder.layer.1"), tol);
        Assert.close("pooler", g.get("prompt0.roberta.pooler_output"), taps.get("text_branch.pooler"), tol);
        Assert.close("text_projection", g.get("prompt0.text_projection"), taps.get("text_projection"), tol);
        Assert.close("output", g.get("prompt0.cond").toArray(), taps.get("output").toArray(), tol, 0);
    }

    @Test
    void aMaskValueOtherThanZeroOrOneIsOneLineError() throws Exception {
        Path in = dir.resolve("in.safetensors");
        SafeTensors.write(in, Map.of("input_ids", Tensor.of(new float[] {0, 250, 2}, 1, 3), "attention_mask", Tensor.of(new float[] {1, 2, 1}, 1, 3)), Map.of());
        assertNotEquals(0, Main.run(new String[] {"--quiet", "trace", model().toString(), "--inputs", in.toString(), "--out", dir.resolve("o.safetensors").toString()}));
    }
}
