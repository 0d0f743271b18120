package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class WeightSourcesTest {
    @TempDir Path tmp;

    @Test
    void picksTheReaderByMagicBytes() throws IOException {
        record Case(String path, Class<?> type, String format, int tensors) {}
        List<Case> cases = List.of(
                new Case("golden/whisper_tiny_random/weights.safetensors", SafeTensors.class, "safetensors", 89),
                new Case("golden/whisper_tiny_random/model.pt", TorchZip.class, "pytorch-zip", 89),
                new Case("data/weights/hifigan-v2-ljspeech/generator_v2", TorchLegacy.class, "pytorch-legacy", 234),
                new Case("data/weights/taesd-decoder/taesd-decoder.gguf", Gguf.class, "gguf", 67),
                new Case("data/configs/whisper-ggml-headers/for-tests-ggml-tiny.bin", WhisperGgml.class, "whisper-ggml", 0));
        for (Case c : cases) {
            Path p = SharedData.require(c.path());
            // the name is not what decides: a copy under a misleading name opens the same way
            Path renamed = tmp.resolve("weights.safetensors.bin");
            Files.copy(p, renamed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (Path q : List.of(p, renamed))
                try (WeightSource s = WeightSources.open(q)) {
                    assertInstanceOf(c.type(), s, q.toString());
                    assertEquals(c.format(), s.format());
                    assertEquals(c.tensors(), s.names().size());
                }
        }
    }

    @Test
    void unknownFormatsAreOneLineErrors() throws IOException {
        Path txt = tmp.resolve("notes.pt");
        Files.writeString(txt, "hello, this is not a checkpoint\n");
        Path empty = tmp.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        Path plainPickle = tmp.resolve("plain.pkl");
        Files.write(plainPickle, new PickleBytes().proto(2).emptyDict().stop().bytes());
        for (Path p : List.of(txt, empty, plainPickle)) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(p));
            assertEquals(p + ": not a recognised checkpoint (looked for safetensors, PyTorch zip or pickle, GGUF, ggml)", e.getMessage());
        }
        Path missing = tmp.resolve("missing.pt");
        assertEquals(missing + ": no such file or folder", assertThrows(SynesthesiaException.class, () -> WeightSources.open(missing)).getMessage());
        Path none = Files.createDirectory(tmp.resolve("none"));
        Files.writeString(none.resolve("config.json"), "{}");
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(none)), none, "holds no weight files");
    }

    private static Map<String, Tensor> tensors(String... names) {
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) m.put(names[i], Tensor.of(new float[] {i, i + 0.5f}, 2));
        return m;
    }

    @Test
    void huggingFaceShards() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("shards"));
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), tensors("a.weight", "b.weight"), Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), tensors("c.weight"), Map.of());
        String index = """
                {"metadata": {"total_size": 24},
                 "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00001-of-00002.safetensors",
                                "c.weight": "model-00002-of-00002.safetensors"}}""";
        Files.writeString(dir.resolve("model.safetensors.index.json"), index);
        try (WeightSource s = WeightSources.open(dir)) {
            assertEquals(List.of("a.weight", "b.weight", "c.weight"), new ArrayList<>(s.names()));
            assertEquals("24", s.metadata().get("total_size"));
            assertEquals("safetensors (2 shards)", s.format());
            assertEquals(0.5f, s.get("c.weight").toFloats()[1]);
            assertTrue(s.get("a.weight").source().endsWith("model-00001-of-00002.safetensors"));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.replace("\"c.weight\"", "\"d.weight\""));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(dir)),
                dir.resolve("model-00002-of-00002.safetensors"), "lacks tensor d.weight");
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(dir)),
                dir.resolve("model.safetensors.index.json"), "missing");
    }

    @Test
    void diffusersPipelineFolder() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("sd"));
        Files.writeString(dir.resolve("model_index.json"), """
                {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.21.0",
                 "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
                 "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"], "safety_checker": [null, null]}""");
        Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(dir.resolve("scheduler/scheduler_config.json"), "{}");
        Files.createDirectories(dir.resolve("unet"));
        SafeTensors.write(dir.resolve("unet/diffusion_pytorch_model.safetensors"), tensors("conv_in.weight", "conv_in.bias"), Map.of("format", "pt"));
        // a variant beside the main file is not merged in (it would duplicate every name)
        SafeTensors.write(dir.resolve("unet/diffusion_pytorch_model.fp16.safetensors"), tensors("conv_in.weight", "conv_in.bias"), Map.of());
        Files.createDirectories(dir.resolve("vae"));
        SafeTensors.write(dir.resolve("vae/diffusion_pytorch_model.safetensors"), tensors("decoder.conv_in.weight"), Map.of());
        Files.createDirectories(dir.resolve("text_encoder"));
        Files.copy(SharedData.golden("whisper_tiny_random", "model.pt"), dir.resolve("text_encoder/pytorch_model.bin"));
        try (WeightSource s = WeightSources.open(dir)) {
            assertEquals("diffusers", s.format());
            List<String> names = new ArrayList<>(s.names());
            assertEquals(2 + 89 + 1, names.size());
            assertEquals("text_encoder/encoder.positional_embedding", names.get(0));
            assertTrue(names.contains("unet/conv_in.weight") && names.contains("vae/decoder.conv_in.weight"), names.toString());
            assertEquals("unet/conv_in.bias", s.get("unet/conv_in.bias").name());
            assertEquals("pt", s.metadata().get("unet/format"));
            assertTrue(s.metadata().get("text_encoder/dims").contains("n_audio_state"));
        }
    }

    @Test
    void duplicateNamesInAFolderAreAnError() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dup"));
        SafeTensors.write(dir.resolve("one.safetensors"), tensors("x"), Map.of());
        SafeTensors.write(dir.resolve("two.safetensors"), tensors("y", "x"), Map.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(dir));
        assertTrue(e.getMessage().startsWith(dir + ": tensor x is in both ") && e.getMessage().contains("one.safetensors")
                && e.getMessage().contains("two.safetensors"), e.getMessage());
        Files.delete(dir.resolve("one.safetensors"));
        try (WeightSource s = WeightSources.open(dir)) {
            assertInstanceOf(SafeTensors.class, s);
        }
    }
}
