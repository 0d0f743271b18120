package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.MelFilters;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperGguf;
import org.synesthesia.whisper.WhisperNames;

/**
 * Whisper in the layouts users bring besides openai's: a Hugging Face folder and a whisper.cpp ggml file, both
 * made here from the random tiny golden's weights; converted, they give the golden's logits and carry the
 * tokenizer and mel filters.
 */
class WhisperInputsTest {
    static final String SET = "whisper_tiny_random";

    @TempDir Path tmp;

    private static float[] logits(Path model) {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        float[] p = g.get("tokens.prefix").toArray();
        int[] prefix = new int[p.length];
        for (int i = 0; i < p.length; i++) prefix[i] = (int) p[i];
        try (Whisper w = Whisper.load(model)) {
            return w.forward(g.get("mel"), prefix, Tracer.NONE).toArray();
        }
    }

    private static void assertLogitsOfTheGolden(Path converted) {
        float[] want = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors")).get("logits.prefix").toArray();
        float[] got = logits(converted);
        double d = 0;
        for (int i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i] - got[i]));
        assertTrue(d < 1e-4, "max diff " + d);
    }

    private Path convert(Path in, Path tokenizer) throws IOException {
        Path out = tmp.resolve(in.getFileName() + ".gguf");
        Converter.convert(in, out, new Converter.Options(TargetType.F16, 0, List.of(), 0, tokenizer, null, Parallel.threads(), false));
        return out;
    }

    @Test
    void huggingFaceFolder() throws IOException {
        Path dir = huggingFaceFolder("whisper-tiny-hf", false);
        Path out = convert(dir, SharedData.data("tokenizers"));
        assertLogitsOfTheGolden(out);
        try (Gguf g = Gguf.open(out)) {
            assertEquals("64", g.metadata().get("whisper.n_audio_state"));
            assertEquals(50257, WhisperGguf.tokenizer(g).orElseThrow().encoding().nRanks(), "multilingual ranks");
        }
    }

    /** The golden's weights as a Hugging Face folder ({@code withEncoderPositions}: also the sinusoids it may omit). */
    private Path huggingFaceFolder(String name, boolean withEncoderPositions) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Map<String, Tensor> hf = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : SafeTensors.readAll(SharedData.golden(SET, "weights.safetensors")).entrySet())
            hf.put(WhisperNames.toHuggingFace(e.getKey()), e.getValue());
        if (!withEncoderPositions) hf.remove(WhisperNames.toHuggingFace("encoder.positional_embedding"));
        SafeTensors.write(dir.resolve("model.safetensors"), hf, Map.of("format", "pt"));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model_type", "whisper");
        cfg.put("num_mel_bins", 80);
        cfg.put("max_source_positions", 1500);
        cfg.put("d_model", 64);
        cfg.put("encoder_attention_heads", 4);
        cfg.put("encoder_layers", 2);
        cfg.put("vocab_size", 51865);
        cfg.put("max_target_positions", 448);
        cfg.put("decoder_attention_heads", 4);
        cfg.put("decoder_layers", 2);
        Files.writeString(dir.resolve("config.json"), Json.write(cfg));
        return dir;
    }

    /** A whisper.cpp ggml file (whisper.cpp's convert-pt-to-ggml.py layout): hparams, filters, vocabulary, tensors. */
    private static byte[] ggml(Map<String, StoredTensor> tensors, byte[][] ranks, Tensor filters) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x67676d6c);
        for (int v : new int[] {51865, 1500, 64, 4, 2, 448, 64, 4, 2, 80, 1}) b.putInt(v);
        b.putInt(filters.dim(0)).putInt(filters.dim(1));
        for (float f : filters.toArray()) b.putFloat(f);
        flush(o, b);
        b.putInt(ranks.length);
        for (byte[] r : ranks) {
            if (b.remaining() < 1024) flush(o, b);
            b.putInt(r.length).put(r);
        }
        flush(o, b);
        for (StoredTensor t : tensors.values()) {
            float[] v = t.toFloats();
            boolean f16 = t.rank() > 1;
            byte[] data = f16 ? Quantize.toF16(v) : Quantize.toF32(v);
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            b.putInt(t.rank()).putInt(name.length).putInt(f16 ? 1 : 0);
            for (int d = t.rank() - 1; d >= 0; d--) b.putInt(Math.toIntExact(t.shape()[d]));
            b.put(name);
            flush(o, b);
            o.write(data, 0, data.length);
        }
        return o.toByteArray();
    }

    private static void flush(ByteArrayOutputStream o, ByteBuffer b) {
        o.write(b.array(), 0, b.position());
        b.clear();
    }

    /** openai's names, Hugging Face's and a whisper.cpp ggml file (conv biases [n, 1]) convert to the same tensors. */
    @Test
    void everyLayoutConvertsToTheSameTensors() throws IOException {
        Path ggml = tmp.resolve("ggml-same.bin");
        Map<String, StoredTensor> ts = new LinkedHashMap<>();
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            for (String n : src.names()) {
                StoredTensor t = src.get(n);
                // whisper.cpp writes the conv biases as [n, 1]
                ts.put(n, n.endsWith("conv1.bias") || n.endsWith("conv2.bias") ? new StoredTensor(n, t.dtype(), new long[] {t.shape()[0], 1}, t.data(), t.source()) : t);
            }
            Files.write(ggml, ggml(ts, Tiktoken.readRanks(SharedData.data("tokenizers/multilingual.tiktoken")), MelFilters.whisper(80)));
        }
        Path hf = huggingFaceFolder("whisper-tiny-hf-same", true);
        for (TargetType t : List.of(TargetType.PAL8, TargetType.Q8)) {
            Converter.Options o = new Converter.Options(t, 0, List.of(), 0, SharedData.data("tokenizers"), null, Parallel.threads(), false);
            Path a = tmp.resolve("same-openai-" + t.id() + ".gguf"), b = tmp.resolve("same-hf-" + t.id() + ".gguf"), c = tmp.resolve("same-ggml-" + t.id() + ".gguf");
            Converter.convert(SharedData.golden(SET, "weights.safetensors"), a, o);
            Converter.convert(hf, b, o);
            Converter.convert(ggml, c, o);
            CanonicalNamesTest.assertSameTensors(a, b, "whisper openai vs Hugging Face " + t.id(), "encoder.", "decoder.");
            CanonicalNamesTest.assertSameTensors(a, c, "whisper openai vs ggml " + t.id(), "encoder.", "decoder.");
        }
    }

    @Test
    void whisperCppGgml() throws IOException {
        Map<String, StoredTensor> ts = new LinkedHashMap<>();
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"))) {
            for (String n : src.names()) ts.put(n, src.get(n));
            Path f = tmp.resolve("ggml-tiny-random.bin");
            byte[][] ranks = Tiktoken.readRanks(SharedData.data("tokenizers/multilingual.tiktoken"));
            // the file's own filterbank (openai's x 2 here, to tell it from the computed one) travels with the model
            float[] filters = MelFilters.whisper(80).toArray();
            for (int i = 0; i < filters.length; i++) filters[i] *= 2;
            Files.write(f, ggml(ts, ranks, Tensor.of(filters, 80, 201)));
            try (Whisper w = Whisper.load(f)) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(filters, w.melFilters().toArray());
            }
            // the vocabulary and the filters come from the ggml file itself: no --tokenizer
            Path out = convert(f, null);
            assertLogitsOfTheGolden(out);
            try (Gguf g = Gguf.open(out)) {
                assertEquals(ranks.length, WhisperGguf.tokenizer(g).orElseThrow().encoding().nRanks());
                org.junit.jupiter.api.Assertions.assertArrayEquals(filters, WhisperGguf.melFilters(g).orElseThrow());
            }
        }
    }
}
