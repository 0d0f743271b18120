package org.synesthesia.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.io.TorchScriptFixture;
import org.synesthesia.io.TorchScriptFixture.Tensor;
import org.synesthesia.io.TorchZip;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * openai's TorchScript CLIP layout: an archive as {@code torch.jit.save} writes openai's {@code clip.model.CLIP}
 * (written here in Java from the vision and quick-GELU text goldens, renamed to openai's names, q/k/v stacked into
 * {@code in_proj}, projections transposed), read back through the TorchScript reader and {@link OpenAiClipNames}:
 * every tensor equals the golden's bit for bit under transformers' names.
 */
class OpenAiClipNamesTest {
    @TempDir Path tmp;

    static final String VISION = "clip_vision_random", TEXT = "clip_text_random_quickgelu";

    /** The golden's tensors keyed by name (bytes, dtype, shape). */
    private static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (WeightSource s = WeightSources.open(file)) {
            for (String n : s.names()) m.put(n, Tensor.of(s.get(n)));
        }
        return m;
    }

    private static Tensor stackRows(Tensor q, Tensor k, Tensor v) {
        byte[] b = new byte[q.data().length * 3];
        System.arraycopy(q.data(), 0, b, 0, q.data().length);
        System.arraycopy(k.data(), 0, b, q.data().length, k.data().length);
        System.arraycopy(v.data(), 0, b, 2 * q.data().length, v.data().length);
        long[] s = q.shape().clone();
        s[0] *= 3;
        return new Tensor(q.dtype(), s, b);
    }

    static Tensor transpose(Tensor t) {
        int r = (int) t.shape()[0], c = (int) t.shape()[1], el = t.dtype().blockBytes;
        byte[] out = new byte[t.data().length];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) System.arraycopy(t.data(), (i * c + j) * el, out, (j * r + i) * el, el);
        return new Tensor(t.dtype(), new long[] {c, r}, out);
    }

    private static Tensor random(DType dt, Random rnd, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] b = new byte[(int) (n * dt.blockBytes)];
        for (int i = 0; i < n; i++) {
            short h = Float.floatToFloat16((float) rnd.nextGaussian());
            b[2 * i] = (byte) h;
            b[2 * i + 1] = (byte) (h >> 8);
        }
        return new Tensor(dt, shape, b);
    }

    /** The residual blocks of one tower under openai's names ({@code prefix} = {@code visual.transformer.} or {@code transformer.}). */
    private static void blocks(TorchScriptFixture f, Map<String, Tensor> g, String hf, String prefix, String blockClass, boolean text) {
        int layers = 0;
        while (g.containsKey(hf + "encoder.layers." + layers + ".layer_norm1.weight")) layers++;
        f.module(prefix + "resblocks", "__torch__.torch.nn.modules.container.Sequential");
        for (int i = 0; i < layers; i++) {
            String l = hf + "encoder.layers." + i + ".", o = prefix + "resblocks." + i + ".";
            f.module(prefix + "resblocks." + i, blockClass)
                    .module(o + "attn", "__torch__.torch.nn.modules.activation.MultiheadAttention")
                    .module(o + "attn.out_proj", "__torch__.torch.nn.modules.linear._LinearWithBias")
                    .module(o + "ln_1", "__torch__.model.LayerNorm").module(o + "ln_2", "__torch__.model.LayerNorm")
                    .module(o + "mlp", "__torch__.torch.nn.modules.container.___torch_mangle_2.Sequential")
                    .module(o + "mlp.c_fc", "__torch__.torch.nn.modules.linear.Linear")
                    .module(o + "mlp.c_proj", "__torch__.torch.nn.modules.linear.___torch_mangle_3.Linear");
            f.parameter(o + "attn.in_proj_weight", stackRows(g.get(l + "self_attn.q_proj.weight"), g.get(l + "self_attn.k_proj.weight"), g.get(l + "self_attn.v_proj.weight")))
                    .noneParameter(o + "attn.q_proj_weight").noneParameter(o + "attn.k_proj_weight").noneParameter(o + "attn.v_proj_weight")
                    .parameter(o + "attn.in_proj_bias", stackRows(g.get(l + "self_attn.q_proj.bias"), g.get(l + "self_attn.k_proj.bias"), g.get(l + "self_attn.v_proj.bias")))
                    .attribute(o + "attn.bias_k", null).attribute(o + "attn.bias_v", null)
                    .attribute(o + "attn.num_heads", 1L).attribute(o + "attn._qkv_same_embed_dim", true)
                    .parameter(o + "attn.out_proj.weight", g.get(l + "self_attn.out_proj.weight"))
                    .parameter(o + "attn.out_proj.bias", g.get(l + "self_attn.out_proj.bias"))
                    .parameter(o + "ln_1.weight", g.get(l + "layer_norm1.weight")).parameter(o + "ln_1.bias", g.get(l + "layer_norm1.bias"))
                    .parameter(o + "mlp.c_fc.weight", g.get(l + "mlp.fc1.weight")).parameter(o + "mlp.c_fc.bias", g.get(l + "mlp.fc1.bias"))
                    .parameter(o + "mlp.c_proj.weight", g.get(l + "mlp.fc2.weight")).parameter(o + "mlp.c_proj.bias", g.get(l + "mlp.fc2.bias"))
                    .parameter(o + "ln_2.weight", g.get(l + "layer_norm2.weight")).parameter(o + "ln_2.bias", g.get(l + "layer_norm2.bias"));
            // openai's text blocks hold the causal mask as a plain tensor attribute (not in state_dict); the vision blocks hold None
            f.attribute(o + "attn_mask", text ? new Tensor(DType.F32, new long[] {2, 2}, new byte[16]) : null);
        }
    }

    /** openai's {@code clip.model.CLIP} as a TorchScript archive, from the goldens; also returns the synthetic text_projection and logit_scale. */
    static Map<String, Tensor> writeArchive(Path file, Map<String, Tensor> vision, Map<String, Tensor> text) {
        Random rnd = new Random(7);
        Tensor textProjection = random(DType.F16, rnd, 64, 512), logitScale = random(DType.F16, rnd);
        TorchScriptFixture f = new TorchScriptFixture("ViT-Tiny", "__torch__.model.CLIP")
                .parameter("positional_embedding", text.get("text_model.embeddings.position_embedding.weight"))
                .parameter("text_projection", textProjection).parameter("logit_scale", logitScale)
                .buffer("input_resolution", new Tensor(DType.I64, new long[] {}, new byte[] {(byte) 224, 0, 0, 0, 0, 0, 0, 0}))
                .buffer("context_length", new Tensor(DType.I64, new long[] {}, new byte[] {77, 0, 0, 0, 0, 0, 0, 0}))
                .buffer("vocab_size", new Tensor(DType.I64, new long[] {}, new byte[] {0, (byte) 0xc1, 0, 0, 0, 0, 0, 0}))
                .module("visual", "__torch__.model.VisualTransformer")
                .module("visual.conv1", "__torch__.torch.nn.modules.conv.Conv2d")
                .module("visual.ln_pre", "__torch__.model.LayerNorm").module("visual.ln_post", "__torch__.model.LayerNorm")
                .module("visual.transformer", "__torch__.model.Transformer")
                .parameter("visual.class_embedding", vision.get("vision_model.embeddings.class_embedding"))
                .parameter("visual.positional_embedding", vision.get("vision_model.embeddings.position_embedding.weight"))
                .parameter("visual.proj", transpose(vision.get("visual_projection.weight")))
                .attribute("visual.input_resolution", 224L).attribute("visual.output_dim", 512L)
                .parameter("visual.conv1.weight", vision.get("vision_model.embeddings.patch_embedding.weight")).noneParameter("visual.conv1.bias")
                .parameter("visual.ln_pre.weight", vision.get("vision_model.pre_layrnorm.weight")).parameter("visual.ln_pre.bias", vision.get("vision_model.pre_layrnorm.bias"));
        f.attribute("visual.transformer.width", 64L);
        blocks(f, vision, "vision_model.", "visual.transformer.", "__torch__.model.ResidualAttentionBlock", false);
        f.parameter("visual.ln_post.weight", vision.get("vision_model.post_layernorm.weight")).parameter("visual.ln_post.bias", vision.get("vision_model.post_layernorm.bias"));
        f.module("transformer", "__torch__.model.___torch_mangle_1.Transformer").attribute("transformer.width", 64L);
        blocks(f, text, "text_model.", "transformer.", "__torch__.model.___torch_mangle_1.ResidualAttentionBlock", true);
        f.module("token_embedding", "__torch__.torch.nn.modules.sparse.Embedding").module("ln_final", "__torch__.model.LayerNorm")
                .parameter("token_embedding.weight", text.get("text_model.embeddings.token_embedding.weight"))
                .parameter("ln_final.weight", text.get("text_model.final_layer_norm.weight")).parameter("ln_final.bias", text.get("text_model.final_layer_norm.bias"));
        f.write(file, true);
        return Map.of("text_projection.weight", transpose(textProjection), "logit_scale", logitScale);
    }

    private static void assertSameTensor(Tensor want, StoredTensor got, String name) {
        assertEquals(want.dtype(), got.dtype(), name);
        assertArrayEquals(want.shape(), got.shape(), name);
        assertArrayEquals(want.data(), got.data().toArray(ValueLayout.JAVA_BYTE), name);
    }

    @Test
    void torchScriptArchiveGivesTheGoldensTensorsBitForBit() {
        Map<String, Tensor> vision = read(SharedData.golden(VISION, "weights.safetensors"));
        Map<String, Tensor> text = read(SharedData.golden(TEXT, "weights.safetensors"));
        Path pt = tmp.resolve("ViT-Tiny.pt");
        Map<String, Tensor> extra = writeArchive(pt, vision, text);
        Map<String, Tensor> want = new LinkedHashMap<>();
        vision.forEach((k, v) -> { if (!k.endsWith("position_ids")) want.put(k, v); });
        text.forEach((k, v) -> { if (!k.endsWith("position_ids")) want.put(k, v); });
        want.putAll(extra);
        try (WeightSource raw = WeightSources.open(pt)) {
            assertEquals("torchscript", raw.format());
            assertEquals("__torch__.model.CLIP", raw.metadata().get(TorchZip.SCRIPT_CLASS));
            // model.state_dict(): root parameters and buffers first, None parameters and attn_mask left out
            List<String> names = new ArrayList<>(raw.names());
            assertEquals(List.of("positional_embedding", "text_projection", "logit_scale", "input_resolution", "context_length", "vocab_size",
                    "visual.class_embedding", "visual.positional_embedding", "visual.proj", "visual.conv1.weight"), names.subList(0, 10));
            assertTrue(names.contains("visual.transformer.resblocks.1.attn.in_proj_weight"));
            assertTrue(names.contains("transformer.resblocks.0.ln_1.weight"));
            assertFalse(names.stream().anyMatch(n -> n.contains("attn_mask") || n.contains("q_proj_weight") || n.contains("bias_k") || n.endsWith("conv1.bias")));
            assertEquals(10 + 4 + 2 * 12 + 2 * 12 + 3, names.size());
            // the text tower also loads straight from openai's names (ClipNames' OpenCLIP layout, prefix "")
            assertTrue(OpenAiClipNames.isOpenAiClip(raw.names()));
        }
        try (WeightSource s = OpenAiClipNames.asTransformers(WeightSources.open(pt))) {
            OpenAiClipSource v = (OpenAiClipSource) s;
            assertEquals(new TreeSet<>(want.keySet()), new TreeSet<>(s.names()));
            for (String n : s.names()) assertSameTensor(want.get(n), s.get(n), n);
            // the inferred config is the golden's (heads follow openai's width / 64)
            OpenAiClipConfig c = v.config();
            Map<String, Object> args = Json.parseObject(readString(SharedData.golden(VISION, "golden.json")));
            @SuppressWarnings("unchecked") Map<String, Object> golden = (Map<String, Object>) args.get("config_args");
            Map<String, Object> vc = Json.parseObject(s.metadata().get(OpenAiClipSource.VISION_CONFIG));
            for (String k : List.of("hidden_size", "intermediate_size", "num_hidden_layers", "image_size", "patch_size", "projection_dim", "hidden_act", "num_channels"))
                assertEquals(String.valueOf(golden.get(k)), String.valueOf(vc.get(k)), k);
            assertEquals(1, c.visionHeads());
            assertEquals(new OpenAiClipConfig(512, 224, 64, 2, 32, 256, 77, 49408, 64, 2, 256), c);
            Map<String, Object> tc = Json.parseObject(s.metadata().get(OpenAiClipSource.TEXT_CONFIG));
            assertEquals(77L, ((Number) tc.get("max_position_embeddings")).longValue());
            assertEquals("quick_gelu", tc.get("hidden_act"));
            // the CLIP text loading path finds the Hugging Face text transformer in the view
            Weights w = ClipNames.of(s);
            assertEquals(ClipNames.Naming.HUGGING_FACE, ClipNames.naming(w));
            assertEquals(2, ClipNames.layerCount(w));
        }
    }

    @Test
    void huggingFaceCheckpointsPassThrough() {
        try (WeightSource s = WeightSources.open(SharedData.golden(VISION, "weights.safetensors"))) {
            assertFalse(OpenAiClipNames.isOpenAiClip(s.names()));
            assertSame(s, OpenAiClipNames.asTransformers(s));
        }
    }

    @Test
    void resNetAndBrokenLayoutsAreOneLine() {
        try (MemoryWeightSource m = new MemoryWeightSource("rn50.pt")) {
            m.allocate("visual.conv1.weight", DType.F16, 32, 3, 3, 3);
            m.allocate("visual.attnpool.positional_embedding", DType.F16, 50, 2048);
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> OpenAiClipNames.mapping(m));
            assertEquals("rn50.pt: an openai ResNet CLIP (RN50 and kin): only the ViT models are supported", e.getMessage());
        }
        try (MemoryWeightSource m = new MemoryWeightSource("gap.pt")) {
            m.allocate("visual.conv1.weight", DType.F16, 64, 3, 32, 32);
            m.allocate("visual.transformer.resblocks.1.ln_1.weight", DType.F16, 64);
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> OpenAiClipNames.mapping(m));
            assertEquals("gap.pt: openai CLIP vision layers 0..1 but layer 0 is missing", e.getMessage());
        }
        try (MemoryWeightSource m = new MemoryWeightSource("odd.pt")) {
            m.allocate("visual.conv1.weight", DType.F16, 64, 3, 32, 32);
            m.allocate("visual.transformer.resblocks.0.attn.in_proj_weight", DType.F16, 64, 64);
            m.allocate("visual.positional_embedding", DType.F16, 50, 64);
            m.allocate("visual.transformer.resblocks.0.mlp.c_fc.weight", DType.F16, 256, 64);
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> OpenAiClipNames.view(m));
            assertTrue(e.getMessage().startsWith("odd.pt: tensor visual.transformer.resblocks.0.attn.in_proj_weight has shape [64, 64], expected 3 blocks"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
