package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.SimpleGguf;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** Whisper metadata bundles: discovered from inputs, written into a GGUF, read back; a converted file runs as its source. */
class WhisperGgufTest {
    @TempDir Path tmp;

    static final List<String> TEXTS = List.of("And so my fellow Americans, ask not what your country can do for you",
            " Hello world! 123 4567 don't   stop", "Привет, мир — 你好世界 ¿qué tal? 😀", "<|endoftext|> literal", "");

    /** A converted file the simple way: the source's tensors as they are, the bundle, general.* keys. */
    static Path convert(Path out, WeightSource src, WhisperGguf.Bundle b) throws IOException {
        return SimpleGguf.write(out, "whisper", src, w -> WhisperGguf.write(w, b));
    }

    /**
     * The log-Mel a converted model is fed uses the filterbank its file carries: openai's for a file made from a
     * released model, and a different one when the file says so (here openai's x 2, which shifts every
     * log-Mel value of the content by log10(2)/4 before the dynamic-range clamp).
     */
    @Test
    void transcriptionUsesTheFilesOwnMelFilters() throws IOException {
        Path weights = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        float[] audio = SafeTensors.readAll(SharedData.golden("whisper_mel", "whisper_mel.safetensors")).get("audio.jfk").toArray();
        float[] openai = MelFilters.whisper(80).toArray(), doubled = openai.clone();
        for (int i = 0; i < doubled.length; i++) doubled[i] *= 2;
        try (WeightSource src = WeightSources.open(weights)) {
            WhisperGguf.Bundle b = WhisperGguf.fromInput(weights, src, SharedData.data("tokenizers"));
            convert(tmp.resolve("same.gguf"), src, b);
            convert(tmp.resolve("doubled.gguf"), src, new WhisperGguf.Bundle(b.config(), b.ranks(), b.multilingual(), b.numLanguages(), doubled));
        }
        float[] standard = org.synesthesia.audio.LogMel.forTranscription(audio, 80).toArray();
        try (Whisper w = Whisper.load(tmp.resolve("same.gguf"))) {
            assertArrayEquals(openai, w.melFilters().toArray());
            assertArrayEquals(standard, org.synesthesia.audio.LogMel.forTranscription(audio, w.melFilters()).toArray());
        }
        try (Whisper w = Whisper.load(tmp.resolve("doubled.gguf"))) {
            assertArrayEquals(doubled, w.melFilters().toArray());
            float[] mel = org.synesthesia.audio.LogMel.forTranscription(audio, w.melFilters()).toArray();
            float shift = (float) (Math.log10(2) / 4);
            int checked = 0;
            for (int i = 0; i < mel.length; i++)
                if (standard[i] > standard[0] + 1) { // well above the clamp floor
                    assertEquals(standard[i] + shift, mel[i], 1e-5, "value " + i);
                    checked++;
                }
            assertTrue(checked > 1000, "checked " + checked);
        }
        try (Whisper w = Whisper.load(weights)) {
            assertArrayEquals(openai, w.melFilters().toArray(), "a plain checkpoint: openai's filters");
        }
    }

    private static void assertSameTokenizer(WhisperTokenizer expected, WhisperTokenizer actual) {
        assertEquals(expected.nVocab(), actual.nVocab());
        assertEquals(expected.multilingual(), actual.multilingual());
        assertEquals(expected.numLanguages(), actual.numLanguages());
        assertEquals(expected.encoding().nRanks(), actual.encoding().nRanks());
        for (int id = 0; id < expected.nVocab(); id += 97) assertArrayEquals(expected.encoding().tokenBytes(id), actual.encoding().tokenBytes(id), "token " + id);
        for (String t : TEXTS) {
            int[] ids = expected.encoding().encodeOrdinary(t);
            assertArrayEquals(ids, actual.encoding().encodeOrdinary(t), t);
            assertEquals(expected.encoding().decode(ids), actual.encoding().decode(ids));
        }
        assertArrayEquals(expected.sotSequence("fr", WhisperTokenizer.Task.TRANSLATE), actual.sotSequence("fr", WhisperTokenizer.Task.TRANSLATE));
        assertEquals(expected.timestampBegin(), actual.timestampBegin());
    }

    @Test
    void convertedFileRunsLikeItsSourceWithItsOwnTokenizerAndFilters() throws IOException {
        Path weights = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        Path tokenizers = SharedData.data("tokenizers");
        Map<String, Tensor> golden = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
        Path gguf;
        float[] expected;
        try (WeightSource src = WeightSources.open(weights)) {
            WhisperGguf.Bundle b = WhisperGguf.fromInput(weights, src, tokenizers);
            assertEquals(new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2), b.config());
            assertTrue(b.multilingual());
            assertEquals(99, b.numLanguages());
            byte[][] file = Tiktoken.readRanks(tokenizers.resolve("multilingual.tiktoken"));
            assertEquals(file.length, b.ranks().size());
            for (int i = 0; i < file.length; i++) assertArrayEquals(file[i], b.ranks().get(i));
            assertArrayEquals(MelFilters.whisper(80).toArray(), b.melFilters());
            Files.createDirectories(tmp.resolve("model"));
            gguf = convert(tmp.resolve("model/tiny.gguf"), src, b);
        }
        try (Whisper ref = Whisper.load(weights)) {
            int[] tokens = WhisperParityTest.ids(golden.get("tokens.prefix"));
            expected = ref.decoder().logits(tokens, ref.newState(ref.encode(golden.get("mel"))));
        }
        try (Whisper w = Whisper.load(gguf)) {
            assertEquals("gguf", w.source().format());
            assertEquals(new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2), w.config());
            int[] tokens = WhisperParityTest.ids(golden.get("tokens.prefix"));
            float[] logits = w.decoder().logits(tokens, w.newState(w.encode(golden.get("mel"))));
            // same weights, same kernels; only the mapping's alignment differs (summation order of vector paths)
            org.synesthesia.testing.Assert.close("logits vs source", expected, logits, 1e-5, 1e-6);
            org.synesthesia.testing.Assert.close("logits.prefix", golden.get("logits.prefix").toArray(), logits, 1e-4, 0);
            WhisperTokenizer own = WhisperGguf.tokenizer(w.source()).orElseThrow();
            assertSameTokenizer(WhisperTokenizer.forModel(tokenizers, 51865), own);
            // the model's own tokenizer comes before beside/env lookups; --tokenizer still overrides
            WhisperTokenizer chosen = WhisperTokenizers.forModel(w, null, gguf, "test");
            assertEquals(own.nVocab(), chosen.nVocab());
            assertArrayEquals(own.encoding().encodeOrdinary(TEXTS.get(0)), chosen.encoding().encodeOrdinary(TEXTS.get(0)));
            assertEquals("multilingual.tiktoken", WhisperTokenizers.forModel(w, tokenizers, gguf, "test").encoding().name());
            assertArrayEquals(MelFilters.whisper(80).toArray(), WhisperGguf.melFilters(w.source()).orElseThrow());
        }
        try (Gguf g = Gguf.open(gguf)) {
            assertEquals("tiktoken", g.metadata().get("tokenizer.ggml.model"));
            assertEquals(GgufValue.Type.FLOAT32, g.values().get("whisper.mel_filters").elementType());
            assertEquals(GgufValue.u32(51865), g.values().get("whisper.n_vocab"));
            assertEquals(GgufValue.bool(true), g.values().get("whisper.tokenizer.multilingual"));
            assertEquals(GgufValue.u32(99), g.values().get("whisper.tokenizer.num_languages"));
        }
        // converting a converted file again keeps its tokenizer and filters, without a tokenizer folder
        try (WeightSource src = WeightSources.open(gguf)) {
            WhisperGguf.Bundle again = WhisperGguf.fromInput(gguf, src, null);
            assertEquals(50257, again.ranks().size());
            assertArrayEquals(MelFilters.whisper(80).toArray(), again.melFilters());
        }
    }

    /**
     * A converted file whose weights are Q8_ROW and palettized (PAL 8/4-bit, per tensor and grouped) runs, and gives
     * the logits of the same model stored as the decoded float32 values.
     */
    @Test
    void encodedWeightsRunAsTheirDecodedValues() throws IOException {
        Path weights = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        Map<String, Tensor> golden = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
        Path encoded = tmp.resolve("encoded.gguf"), decoded = tmp.resolve("decoded.gguf");
        int[] counts;
        try (WeightSource src = WeightSources.open(weights)) {
            WhisperGguf.Bundle b = WhisperGguf.fromInput(weights, src, SharedData.data("tokenizers"));
            counts = org.synesthesia.testing.EncodedTwins.write(src, org.synesthesia.testing.EncodedTwins.architecture("whisper", w -> WhisperGguf.write(w, b)), encoded, decoded);
        }
        assertTrue(counts[0] > 5 && counts[1] > 2 && counts[2] > 2, java.util.Arrays.toString(counts));
        int[] tokens = WhisperParityTest.ids(golden.get("tokens.prefix"));
        float[] expected;
        try (Whisper w = Whisper.load(decoded)) {
            expected = w.decoder().logits(tokens, w.newState(w.encode(golden.get("mel"))));
        }
        try (Whisper w = Whisper.load(encoded)) {
            java.util.Set<DType> types = new java.util.HashSet<>();
            for (String n : w.source().names()) types.add(w.source().get(n).dtype());
            assertTrue(types.containsAll(List.of(DType.Q8_ROW, DType.PAL)), types.toString());
            float[] logits = w.decoder().logits(tokens, w.newState(w.encode(golden.get("mel"))));
            org.synesthesia.testing.Assert.close("encoded vs decoded logits", expected, logits, 1e-4, 1e-4);
        }
    }

    @Test
    void englishOnlyTokenizerRoundTrips() throws IOException {
        Path tokenizers = SharedData.data("tokenizers");
        byte[][] ranks = Tiktoken.readRanks(tokenizers.resolve("gpt2.tiktoken"));
        WhisperConfig en = new WhisperConfig(80, 1500, 64, 4, 2, 51864, 448, 64, 4, 2);
        GgufWriter w = new GgufWriter();
        WhisperGguf.write(w, new WhisperGguf.Bundle(en, List.of(ranks), false, 99, MelFilters.whisper(80).toArray()));
        Path f = tmp.resolve("en.gguf");
        w.write(f);
        try (Gguf g = Gguf.open(f)) {
            assertSameTokenizer(WhisperTokenizer.forModel(tokenizers, 51864), WhisperGguf.tokenizer(g).orElseThrow());
            assertEquals(en, WhisperConfig.fromMetadata(g).orElseThrow());
        }
    }

    /** whisper.cpp's ggml layout with the golden's tensors, the given filters and vocabulary. */
    private static Path ggml(Path out, WeightSource src, WhisperConfig c, float[] filters, List<byte[]> vocab) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        java.util.function.IntConsumer i32 = v -> { b.clear(); b.putInt(v); o.write(b.array(), 0, 4); };
        i32.accept(0x67676d6c);
        for (int v : new int[] {c.nVocab(), c.nAudioCtx(), c.nAudioState(), c.nAudioHead(), c.nAudioLayer(), c.nTextCtx(), c.nTextState(),
                c.nTextHead(), c.nTextLayer(), c.nMels(), 1}) i32.accept(v);
        i32.accept(c.nMels());
        i32.accept(201);
        for (float f : filters) i32.accept(Float.floatToRawIntBits(f));
        i32.accept(vocab.size());
        for (byte[] t : vocab) {
            i32.accept(t.length);
            o.write(t, 0, t.length);
        }
        for (String n : src.names()) {
            StoredTensor t = src.get(n);
            byte[] name = n.getBytes(StandardCharsets.UTF_8);
            i32.accept(t.rank());
            i32.accept(name.length);
            i32.accept(t.dtype() == DType.F16 ? 1 : 0);
            for (int d = t.rank() - 1; d >= 0; d--) i32.accept((int) t.shape()[d]);
            o.write(name, 0, name.length);
            byte[] data = t.dtype() == DType.F16 || t.dtype() == DType.F32 ? t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)
                    : org.synesthesia.tensor.Quantize.toF32(t.toFloats());
            o.write(data, 0, data.length);
        }
        Files.write(out, o.toByteArray());
        return out;
    }

    @Test
    void whisperCppGgmlFilesCarryTheirOwnVocabularyAndFilters() throws IOException {
        Path weights = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        Path tokenizers = SharedData.data("tokenizers");
        byte[][] ranks = Tiktoken.readRanks(tokenizers.resolve("multilingual.tiktoken"));
        float[] filters = MelFilters.whisper(80).toArray().clone();
        for (int i = 0; i < filters.length; i++) filters[i] *= 2; // not the computed ones: must come from the file
        Path f;
        try (WeightSource src = WeightSources.open(weights)) {
            WhisperConfig c = WhisperConfig.fromMetadata(src).orElseThrow();
            List<byte[]> vocab = new java.util.ArrayList<>(List.of(ranks));
            vocab.add("<|endoftext|>".getBytes(StandardCharsets.UTF_8)); // some writers append specials: dropped
            f = ggml(tmp.resolve("ggml-tiny.bin"), src, c, filters, vocab);
        }
        try (WeightSource src = WeightSources.open(f)) {
            assertTrue(src instanceof WhisperGgml);
            WhisperGguf.Bundle b = WhisperGguf.fromInput(f, src, null);
            assertEquals(51865, b.config().nVocab());
            assertEquals(ranks.length, b.ranks().size());
            for (int i = 0; i < ranks.length; i++) assertArrayEquals(ranks[i], b.ranks().get(i));
            assertArrayEquals(filters, b.melFilters());
        }
    }

    @Test
    void huggingFaceVocabJsonGivesTheRanks() throws IOException {
        byte[][] ranks = Tiktoken.readRanks(SharedData.data("tokenizers/multilingual.tiktoken"));
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < ranks.length; i++) {
            StringBuilder s = new StringBuilder();
            for (byte x : ranks[i]) s.append(ByteLevel.charFor(x & 0xff));
            if (vocab.put(s.toString(), (long) i) != null) {
                vocab.put(s.toString(), (long) i); // tiktoken's empty rank 50256 shares "" with nothing else
            }
        }
        vocab.put("<|endoftext|>", (long) ranks.length);
        vocab.put("<|startoftranscript|>", (long) ranks.length + 1);
        Path dir = tmp.resolve("hf");
        Files.createDirectories(dir);
        Path file = dir.resolve("vocab.json");
        Files.writeString(file, Json.write(vocab));
        List<byte[]> got = WhisperGguf.huggingFaceVocab(file);
        assertEquals(ranks.length, got.size());
        for (int i = 0; i < ranks.length; i++) assertArrayEquals(ranks[i], got.get(i), "rank " + i);
        Files.writeString(file, "{\"a\": 0, \"<|endoftext|>\": 2}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperGguf.huggingFaceVocab(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no token has id 1"), e.getMessage());
    }

    @Test
    void missingTokenizerAsksForTokenizerDir() throws IOException {
        assumeTrue(System.getenv(WhisperTokenizers.TOKENIZERS_ENV) == null, "$SYNESTHESIA_TOKENIZERS is set");
        Path dir = tmp.resolve("lonely");
        Files.createDirectories(dir);
        Path link = Files.createSymbolicLink(dir.resolve("weights.safetensors"), SharedData.golden("whisper_tiny_random", "weights.safetensors").toAbsolutePath());
        try (WeightSource src = WeightSources.open(link)) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperGguf.fromInput(link, src, null));
            assertTrue(e.getMessage().contains("give --tokenizer DIR"), e.getMessage());
            assertTrue(e.getMessage().contains("multilingual.tiktoken"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void badStoredTokenizerIsOneLine() throws IOException {
        GgufWriter w = new GgufWriter();
        w.put("tokenizer.ggml.model", "tiktoken").put("tokenizer.ggml.tokens", GgufValue.array(GgufValue.Type.STRING, List.of("%%%")))
                .put("whisper.tokenizer.multilingual", GgufValue.bool(true)).put("whisper.tokenizer.num_languages", GgufValue.u32(99));
        Path f = tmp.resolve("bad.gguf");
        w.write(f);
        try (Gguf g = Gguf.open(f)) {
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperGguf.tokenizer(g));
            assertTrue(e.getMessage().contains("entry 0 is not base64"), e.getMessage());
            assertTrue(WhisperGguf.melFilters(g).isEmpty());
        }
        GgufWriter none = new GgufWriter();
        Path n = tmp.resolve("none.gguf");
        none.write(n);
        try (Gguf g = Gguf.open(n)) {
            assertTrue(WhisperGguf.tokenizer(g).isEmpty());
        }
    }
}
