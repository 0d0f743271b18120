package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** {@code synesthesia trace} on the CLIP image encoder (family {@code clip-vision}), in-process, against the golden. */
class ClipVisionTraceTest {
    @TempDir
    Path dir;

    static final double TOL = ClipVisionParityTest.TOL;

    @Test
    void folderWithCaptures() throws Exception {
        Path f = ClipVisionLoadTest.folder(dir.resolve("vision"), ClipVisionLoadTest.visionConfigJson(), ClipVisionParityTest.weights(), "model.safetensors");
        Map<String, Tensor> g = ClipVisionParityTest.golden();
        Map<String, Tensor> taps = Traces.run(dir, f, Map.of("pixel_values", g.get("pixel_values")),
                "--capture", "vision_model.embeddings**", "--capture", "vision_model.pre_layrnorm", "--capture", "vision_model.encoder.layers.?",
                "--capture", "vision_model.encoder.layers.0.self_attn", "--capture", "vision_model.encoder.layers.0.mlp",
                "--capture", "vision_model.encoder", "--capture", "vision_model.post_layernorm", "--capture", "visual_projection");
        assertEquals(List.of("vision_model.embeddings.patch_embedding", "vision_model.embeddings", "vision_model.pre_layrnorm",
                "vision_model.encoder.layers.0.self_attn", "vision_model.encoder.layers.0.mlp", "vision_model.encoder.layers.0",
                "vision_model.encoder.layers.1", "vision_model.encoder", "vision_model.post_layernorm", "visual_projection", "output"), List.copyOf(taps.keySet()));
        Assert.close("pre_layrnorm = hidden_states[0]", g.get("hidden_states.0"), taps.get("vision_model.pre_layrnorm"), TOL);
        Assert.close("encoder = last_hidden_state", g.get("last_hidden_state"), taps.get("vision_model.encoder"), TOL);
        Assert.close("layers.1 = last_hidden_state", g.get("last_hidden_state"), taps.get("vision_model.encoder.layers.1"), TOL);
        Assert.close("visual_projection", g.get("image_embeds"), taps.get("visual_projection"), TOL);
        Assert.close("output", g.get("image_embeds"), taps.get("output"), TOL);
        assertEquals(List.of(2, 64), List.of(taps.get("vision_model.post_layernorm").dim(0), taps.get("vision_model.post_layernorm").dim(1)));

        // embeddings: [class + pos 0; patch conv column i + pos 1+i]
        Map<String, Tensor> w = SafeTensors.readAll(ClipVisionParityTest.weights());
        float[] cls = w.get("vision_model.embeddings.class_embedding").toArray(), pos = w.get("vision_model.embeddings.position_embedding.weight").toArray();
        Tensor patch = taps.get("vision_model.embeddings.patch_embedding"), emb = taps.get("vision_model.embeddings");
        assertEquals(List.of(2, 64, 7, 7), List.of(patch.dim(0), patch.dim(1), patch.dim(2), patch.dim(3)));
        float[] want = new float[2 * 50 * 64];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 50; t++)
                for (int c = 0; c < 64; c++)
                    want[(b * 50 + t) * 64 + c] = (t == 0 ? cls[c] : patch.get(b, c, (t - 1) / 7, (t - 1) % 7)) + pos[t * 64 + c];
        Assert.close("embeddings", want, emb.toArray(), 0, 0);
        // the residual branches: layers.0 = pre_layrnorm + self_attn + mlp
        float[] e = taps.get("vision_model.pre_layrnorm").toArray(), a = taps.get("vision_model.encoder.layers.0.self_attn").toArray();
        float[] m = taps.get("vision_model.encoder.layers.0.mlp").toArray(), sum = new float[e.length];
        for (int i = 0; i < e.length; i++) sum[i] = e[i] + a[i] + m[i];
        Assert.close("pre_layrnorm + self_attn + mlp", taps.get("vision_model.encoder.layers.0").toArray(), sum, 1e-5, 0);
        assertTrue(Assert.maxAbsDiff(a, new float[a.length]) > 1e-3, "self_attn is not zero");
    }

    /** A full CLIPModel: pixel_values pick the image encoder, input_ids the text encoder, --part chooses either. */
    @Test
    void fullClipModelPicksTheTowerByInput() throws Exception {
        Path clip = ClipVisionLoadTest.fullClipModel(dir.resolve("clip"));
        Map<String, Tensor> g = ClipVisionParityTest.golden();
        Tensor row0 = g.get("pixel_values").slice(0, 0, 1).contiguous();
        Map<String, Tensor> taps = Traces.run(dir, clip, Map.of("pixel_values", row0));
        Assert.close("image_embeds row 0", g.get("image_embeds").slice(0, 0, 1).contiguous(), taps.get("output"), TOL);
        taps = Traces.run(dir, clip, Map.of("pixel_values", row0), "--part", "vision_model");
        Assert.close("--part vision_model", g.get("image_embeds").slice(0, 0, 1).contiguous(), taps.get("output"), TOL);
        Map<String, Tensor> text = SafeTensors.readAll(SharedData.golden(ClipVisionLoadTest.TEXT_SET, "golden.safetensors"));
        taps = Traces.run(dir, clip, Map.of("input_ids", text.get("input_ids")));
        Assert.close("text last_hidden_state", text.get("last_hidden_state"), taps.get("output"), ClipTextParityTest.TOL);
    }

    @Test
    void aTextModelAsTheImageEncoderFails() throws Exception {
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        SafeTensors.write(in, Map.of("pixel_values", Tensor.zeros(1, 3, 224, 224)), Map.of());
        Path text = SharedData.golden(ClipVisionLoadTest.TEXT_SET, "weights.safetensors");
        assertNotEquals(0, Main.run("--quiet", "trace", text.toString(), "--inputs", in.toString(), "--part", "vision_model", "--out", out.toString()));
        // wrong image size: one line, non-zero exit
        SafeTensors.write(in, Map.of("pixel_values", Tensor.zeros(1, 3, 112, 112)), Map.of());
        assertNotEquals(0, Main.run("--quiet", "trace", ClipVisionParityTest.weights().toString(), "--inputs", in.toString(), "--out", out.toString()));
    }
}
