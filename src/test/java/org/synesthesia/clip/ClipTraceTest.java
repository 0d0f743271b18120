package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.synesthesia.util.Json;

/** {@code synesthesia trace} on CLIP text encoders laid out as users have them, in-process, against the goldens. */
class ClipTraceTest {
    @TempDir
    Path dir;

    /** The golden's transformers config as a {@code config.json} in {@code folder}. */
    static void writeConfig(String set, Path folder) throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), Json.write(g.get("config")));
    }

    Map<String, Tensor> trace(Path model, String set, String... extra) {
        Path out = dir.resolve("taps.safetensors");
        String[] base = {"--quiet", "trace", model.toString(), "--inputs", SharedData.golden(set, "golden.safetensors").toString(), "--out", out.toString()};
        String[] argv = new String[base.length + extra.length];
        System.arraycopy(base, 0, argv, 0, base.length);
        System.arraycopy(extra, 0, argv, base.length, extra.length);
        assertEquals(0, Main.run(argv), "trace exit code");
        return SafeTensors.readAll(out);
    }

    /** A diffusers {@code text_encoder} folder {@code dir/name}: the set's config and a link to its weights. */
    private Path textEncoderFolder(String set, String name) throws IOException {
        Path te = dir.resolve(name);
        writeConfig(set, te);
        Files.createSymbolicLink(te.resolve("model.safetensors"), SharedData.golden(set, "weights.safetensors").toAbsolutePath());
        return te;
    }

    @Test
    void textEncoderFolderWithCaptures() throws IOException {
        String set = "clip_text_random_quickgelu";
        Path te = textEncoderFolder(set, "text_encoder");
        Map<String, Tensor> taps = trace(te, set, "--capture", "text_model.embeddings", "--capture", "text_model.encoder.layers.*",
                "--capture", "text_model.encoder.layers.0.self_attn", "--capture", "text_model.encoder.layers.0.mlp", "--capture", "text_model.final_layer_norm", "--capture", "text_model");
        assertEquals(List.of("text_model.embeddings", "text_model.encoder.layers.0.self_attn", "text_model.encoder.layers.0.mlp", "text_model.encoder.layers.0",
                "text_model.encoder.layers.1", "text_model.final_layer_norm", "text_model", "output"), List.copyOf(taps.keySet()));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Assert.close("embeddings", g.get("hidden_states.0"), taps.get("text_model.embeddings"), ClipTextParityTest.TOL);
        Assert.close("layers.0", g.get("hidden_states.1"), taps.get("text_model.encoder.layers.0"), ClipTextParityTest.TOL);
        Assert.close("layers.1", g.get("hidden_states.2"), taps.get("text_model.encoder.layers.1"), ClipTextParityTest.TOL);
        Assert.close("final_layer_norm", g.get("last_hidden_state"), taps.get("text_model.final_layer_norm"), ClipTextParityTest.TOL);
        Assert.close("text_model", g.get("last_hidden_state"), taps.get("text_model"), ClipTextParityTest.TOL);
        Assert.close("output", g.get("last_hidden_state"), taps.get("output"), ClipTextParityTest.TOL);
        // the two residual branches: layers.0 = embeddings + self_attn + mlp
        float[] e = taps.get("text_model.embeddings").toArray(), a = taps.get("text_model.encoder.layers.0.self_attn").toArray();
        float[] m = taps.get("text_model.encoder.layers.0.mlp").toArray(), sum = new float[e.length];
        for (int i = 0; i < e.length; i++) sum[i] = e[i] + a[i] + m[i];
        Assert.close("embeddings + self_attn + mlp", g.get("hidden_states.1").toArray(), sum, ClipTextParityTest.TOL, 0);
        assertTrue(Assert.maxAbsDiff(a, new float[a.length]) > 1e-3, "self_attn is not zero");
    }

    @Test
    void diffusersPipelineFolderAndOtherParts() throws IOException {
        String set = "clip_text_random_quickgelu";
        Path root = dir.resolve("pipe");
        Files.createDirectories(root);
        Files.copy(SharedData.golden("sd_tiny", "model_index.json"), root.resolve("model_index.json"));
        writeConfig(set, root.resolve("text_encoder"));
        Files.createSymbolicLink(root.resolve("text_encoder/model.safetensors"), SharedData.golden(set, "weights.safetensors").toAbsolutePath());
        Map<String, Tensor> taps = trace(root, set);
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Assert.close("output", g.get("last_hidden_state"), taps.get("output"), ClipTextParityTest.TOL);
        Path out = dir.resolve("x.safetensors");
        String in = SharedData.golden(set, "golden.safetensors").toString();
        assertNotEquals(0, Main.run("--quiet", "trace", root.toString(), "--inputs", in, "--part", "unet", "--out", out.toString()));
    }

    /** An SD 2.x single file (OpenCLIP names), with a CLIP config.json beside it for the tiny model's head count. */
    @Test
    void openClipSingleFileWithConfigBeside() throws IOException {
        String set = "clip_text_random_gelu";
        Path d = dir.resolve("sd2");
        writeConfig(set, d);
        Path f = d.resolve("sd2.safetensors");
        Files.createSymbolicLink(f, SharedData.golden(set, "weights_ldm_openclip.safetensors").toAbsolutePath());
        Map<String, Tensor> taps = trace(f, set, "--part", "text_encoder", "--capture", "text_model.encoder.layers.1");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Assert.close("layers.1", g.get("hidden_states.2"), taps.get("text_model.encoder.layers.1"), ClipTextParityTest.TOL);
        Assert.close("output", g.get("last_hidden_state"), taps.get("output"), ClipTextParityTest.TOL);
    }

    @Test
    void oneSequenceAsFloatIds() throws IOException {
        String set = "clip_text_random_gelu";
        Path te = textEncoderFolder(set, "te");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("o.safetensors");
        SafeTensors.write(in, Map.of("input_ids", g.get("input_ids").slice(0, 2, 3).contiguous().reshape(77)), Map.of());
        assertEquals(0, Main.run("--quiet", "trace", te.toString(), "--inputs", in.toString(), "--out", out.toString()));
        Assert.close("row 2", g.get("last_hidden_state").slice(0, 2, 3).contiguous(), SafeTensors.readAll(out).get("output"), ClipTextParityTest.TOL);
        // not integral ids: a clean error, non-zero exit
        SafeTensors.write(in, Map.of("input_ids", Tensor.of(new float[] {49406, 1.5f}, 2)), Map.of());
        assertNotEquals(0, Main.run("--quiet", "trace", te.toString(), "--inputs", in.toString(), "--out", out.toString()));
    }
}
