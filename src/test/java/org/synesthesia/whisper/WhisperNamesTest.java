package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** Name maps, and loading the golden model under Hugging Face names, without dims, with bad tensors. */
class WhisperNamesTest {
    /** The golden's dims metadata. */
    static final String DIMS = new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2).toJson();
    static Map<String, Tensor> weights;
    static Map<String, Tensor> golden;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() {
        weights = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "weights.safetensors"));
        golden = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
    }

    @Test
    void huggingFaceNames() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("model.encoder.conv1.weight", "encoder.conv1.weight");
        cases.put("model.encoder.embed_positions.weight", "encoder.positional_embedding");
        cases.put("model.encoder.layers.3.self_attn.q_proj.weight", "encoder.blocks.3.attn.query.weight");
        cases.put("model.encoder.layers.3.self_attn.q_proj.bias", "encoder.blocks.3.attn.query.bias");
        cases.put("model.encoder.layers.3.self_attn.k_proj.weight", "encoder.blocks.3.attn.key.weight");
        cases.put("model.encoder.layers.3.self_attn.v_proj.bias", "encoder.blocks.3.attn.value.bias");
        cases.put("model.encoder.layers.3.self_attn.out_proj.weight", "encoder.blocks.3.attn.out.weight");
        cases.put("model.encoder.layers.11.self_attn_layer_norm.weight", "encoder.blocks.11.attn_ln.weight");
        cases.put("model.encoder.layers.0.final_layer_norm.bias", "encoder.blocks.0.mlp_ln.bias");
        cases.put("model.encoder.layers.0.fc1.weight", "encoder.blocks.0.mlp.0.weight");
        cases.put("model.encoder.layers.0.fc2.bias", "encoder.blocks.0.mlp.2.bias");
        cases.put("model.encoder.layer_norm.weight", "encoder.ln_post.weight");
        cases.put("model.decoder.layer_norm.bias", "decoder.ln.bias");
        cases.put("model.decoder.embed_tokens.weight", "decoder.token_embedding.weight");
        cases.put("model.decoder.embed_positions.weight", "decoder.positional_embedding");
        cases.put("model.decoder.layers.1.encoder_attn.k_proj.weight", "decoder.blocks.1.cross_attn.key.weight");
        cases.put("model.decoder.layers.1.encoder_attn.out_proj.bias", "decoder.blocks.1.cross_attn.out.bias");
        cases.put("model.decoder.layers.1.encoder_attn_layer_norm.weight", "decoder.blocks.1.cross_attn_ln.weight");
        cases.put("decoder.layers.1.self_attn.v_proj.weight", "decoder.blocks.1.attn.value.weight"); // WhisperModel, no prefix
        cases.put("encoder.blocks.0.attn.query.weight", "encoder.blocks.0.attn.query.weight");     // openai / ggml
        cases.put("decoder.token_embedding.weight", "decoder.token_embedding.weight");
        cases.forEach((hf, openai) -> assertEquals(openai, WhisperNames.toOpenai(hf), hf));
        assertNull(WhisperNames.toOpenai("proj_out.weight"));
        assertNull(WhisperNames.toOpenai("model.encoder.layers.0.self_attn.rotary.weight"));
        assertNull(WhisperNames.toOpenai("text_model.embeddings.token_embedding.weight"));
    }

    @Test
    void huggingFaceNamesInvert() {
        for (String openai : weights.keySet()) {
            String hf = WhisperNames.toHuggingFace(openai);
            assertEquals(openai, WhisperNames.toOpenai("model." + hf), hf);
            assertEquals(openai.startsWith("encoder.conv"), hf.equals(openai), openai);
        }
    }

    /** Writes the golden weights (as F32) under new names; a null name drops the tensor. */
    Path rewrite(String file, UnaryOperator<String> rename, Map<String, Tensor> replace, Map<String, String> meta) throws IOException {
        return rewrite(file, rename, replace, meta, Map.of());
    }

    Path rewrite(String file, UnaryOperator<String> rename, Map<String, Tensor> replace, Map<String, String> meta, Map<String, Tensor> extra) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>(extra);
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            String n = rename.apply(e.getKey());
            if (n != null) out.put(n, replace.getOrDefault(e.getKey(), e.getValue()));
        }
        Path p = dir.resolve(file);
        SafeTensors.write(p, out, meta);
        return p;
    }

    static float[] encodeAndPrefixLogits(Whisper w) {
        Tensor enc = w.encode(golden.get("mel"));
        return w.decoder().logits(WhisperParityTest.ids(golden.get("tokens.prefix")), w.newState(enc));
    }

    @Test
    void huggingFaceCheckpointWithConfigJson() throws IOException {
        // transformers may also save the tied output projection; it is not used
        Path p = rewrite("model.safetensors", n -> "model." + WhisperNames.toHuggingFace(n), Map.of(), Map.of("format", "pt"),
                Map.of("proj_out.weight", Tensor.zeros(51865, 64)));
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "whisper", "d_model": 64, "encoder_layers": 2, "encoder_attention_heads": 4,
                 "decoder_layers": 2, "decoder_attention_heads": 4, "num_mel_bins": 80, "vocab_size": 51865,
                 "max_source_positions": 1500, "max_target_positions": 448}""");
        try (Whisper w = Whisper.load(dir)) {
            assertEquals("Hugging Face names", w.weights().layout());
            assertEquals(4, w.config().nTextHead());
            Assert.close("logits.prefix (HF names)", golden.get("logits.prefix").toArray(), encodeAndPrefixLogits(w), WhisperParityTest.TOL, 0);
        }
        assertTrue(Files.exists(p));
    }

    @Test
    void missingTensorNamesFileAndTensor() throws IOException {
        Path p = rewrite("hf.safetensors", n -> n.equals("decoder.blocks.1.mlp.0.weight") ? null : "model." + WhisperNames.toHuggingFace(n),
                Map.of(), Map.of("dims", DIMS));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Whisper.load(p).close());
        assertEquals(p + ": no tensor 'model.decoder.layers.1.fc1.weight' (whisper's decoder.blocks.1.mlp.0.weight)", e.getMessage());

        Path q = rewrite("openai.safetensors", n -> n.equals("encoder.ln_post.bias") ? null : n, Map.of(), Map.of("dims", DIMS));
        e = assertThrows(SynesthesiaException.class, () -> Whisper.load(q).close());
        assertEquals(q + ": no tensor 'encoder.ln_post.bias'", e.getMessage());
    }

    @Test
    void wrongShapeSaysExpectedAndActual() throws IOException {
        Tensor bad = Tensor.zeros(64, 63);
        Path p = rewrite("bad.safetensors", n -> n, Map.of("encoder.blocks.1.attn.out.weight", bad), Map.of("dims", DIMS));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Whisper.load(p).close());
        assertEquals(p + ": tensor encoder.blocks.1.attn.out.weight has shape [64, 63], expected [64, 64]", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Path q = rewrite("badbias.safetensors", n -> n, Map.of("decoder.blocks.0.attn.query.bias", Tensor.zeros(65)), Map.of("dims", DIMS));
        e = assertThrows(SynesthesiaException.class, () -> Whisper.load(q).close());
        assertEquals(q + ": tensor decoder.blocks.0.attn.query.bias has shape [65], expected [64]", e.getMessage());
    }

    @Test
    void notWhisperAndBadDims() throws IOException {
        Path p = dir.resolve("other.safetensors");
        SafeTensors.write(p, Map.of("text_model.embeddings.token_embedding.weight", Tensor.zeros(4, 4)), Map.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Whisper.load(p).close());
        assertTrue(e.getMessage().startsWith(p + ": not a Whisper checkpoint"), e.getMessage());

        Path q = rewrite("dims.safetensors", n -> n, Map.of(), Map.of("dims", "{\"n_mels\": 80"));
        e = assertThrows(SynesthesiaException.class, () -> Whisper.load(q).close());
        assertTrue(e.getMessage().startsWith(q + ": bad whisper dims metadata"), e.getMessage());
    }

    @Test
    void withoutDimsOrPositionalEmbedding() throws IOException {
        // no dims: shapes give everything but the heads (taken as d/64 = 1 here, unlike the 4 the golden used),
        // so logits differ; with dims but no encoder.positional_embedding, sinusoids are computed
        Path p = rewrite("nodims.safetensors", n -> n, Map.of(), Map.of());
        try (Whisper w = Whisper.load(p)) {
            assertEquals(1, w.config().nAudioHead());
            assertEquals(51865, w.config().nVocab());
        }
        Path q = rewrite("nopos.safetensors", n -> n.equals("encoder.positional_embedding") ? null : n, Map.of(), Map.of("dims", DIMS));
        try (Whisper w = Whisper.load(q)) {
            Tensor enc = w.encode(golden.get("mel"));
            // computed sinusoids differ from the fp16-rounded stored ones by up to 4.9e-4
            Assert.close("encoder_output (computed sinusoids)", golden.get("encoder_output"), enc, 5e-3);
        }
    }

    @Test
    void ggmlConvBiasShape() throws IOException {
        Map<String, Tensor> replace = Map.of("encoder.conv1.bias", weights.get("encoder.conv1.bias").reshape(64, 1),
                "encoder.conv2.bias", weights.get("encoder.conv2.bias").reshape(64, 1));
        Path p = rewrite("ggml-like.safetensors", n -> n, replace, Map.of("dims", DIMS));
        try (Whisper w = Whisper.load(p)) {
            Assert.close("encoder_output", golden.get("encoder_output"), w.encode(golden.get("mel")), WhisperParityTest.TOL);
        }
    }

    @Test
    void duplicateNamesAreAnError() throws IOException {
        Path p = dir.resolve("dup.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("encoder.conv1.weight", Tensor.zeros(2, 2, 3));
        m.put("model.encoder.conv1.weight", Tensor.zeros(2, 2, 3));
        m.put("decoder.token_embedding.weight", Tensor.zeros(2, 2));
        SafeTensors.write(p, m, Map.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Whisper.load(p).close());
        assertEquals(p + ": tensors 'encoder.conv1.weight' and 'model.encoder.conv1.weight' are both whisper's encoder.conv1.weight", e.getMessage());
        assertTrue(WhisperNames.isWhisper(List.of("model.encoder.conv1.weight", "model.decoder.embed_tokens.weight")));
    }
}
