package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.MelFilters;
import org.synesthesia.cli.CliRun;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.util.SynesthesiaException;

/**
 * A whisper.cpp ggml file's own vocabulary stands in for {@code multilingual.tiktoken}: the tokenizer built from it
 * equals the tiktoken one, and {@code transcribe} on a ggml file needs no --tokenizer. A vocabulary written as lossy
 * text (whisper.cpp's test headers: U+FFFD for incomplete UTF-8) is one clear line asking for --tokenizer.
 */
class GgmlVocabularyTest {
    @TempDir Path tmp;

    @Test
    void tokenizerFromTheVocabularyEqualsTiktokens() {
        Path tiktoken = SharedData.data("tokenizers/multilingual.tiktoken");
        byte[][] ranks = Tiktoken.readRanks(tiktoken);
        List<byte[]> vocab = new ArrayList<>(Arrays.asList(ranks));
        WhisperTokenizer fromVocab = WhisperTokenizer.fromVocabulary("m.bin", vocab, 51865);
        WhisperTokenizer reference = WhisperTokenizer.forModel(tiktoken.getParent(), 51865);
        assertEquals(reference.nVocab(), fromVocab.nVocab());
        assertEquals(reference.eot(), fromVocab.eot());
        String text = " And so, my fellow Americans: ask not what your country can do for you — señor, 東京 ünïcödé 🎉";
        assertArrayEquals(reference.encode(text), fromVocab.encode(text));
        assertEquals(text, fromVocab.decode(fromVocab.encode(text)));
        // English-only: gpt2's 50256 ranks, whisper.cpp lists <|endoftext|> after them
        List<byte[]> en = new ArrayList<>(vocab.subList(0, 50256));
        en.add("<|endoftext|>".getBytes(StandardCharsets.UTF_8));
        assertEquals(50256, WhisperTokenizer.fromVocabulary("m.en.bin", en, 51864).eot());
        SynesthesiaException short_ = assertThrows(SynesthesiaException.class, () -> WhisperTokenizer.fromVocabulary("s.bin", vocab.subList(0, 100), 51865));
        assertTrue(short_.getMessage().startsWith("s.bin: the vocabulary lists 100 tokens"), short_.getMessage());
    }

    @Test
    void lossyVocabularyAsksForTheTokenizer() {
        Path p = SharedData.data("configs/whisper-ggml-headers/for-tests-ggml-tiny.bin");
        try (WeightSource src = WeightSources.open(p)) {
            WhisperGgml g = (WhisperGgml) src;
            SynesthesiaException e = assertThrows(SynesthesiaException.class,
                    () -> WhisperTokenizer.fromVocabulary(g.description(), g.vocabulary(), 51865));
            assertTrue(e.getMessage().startsWith(p + ": its vocabulary was stored lossily") && e.getMessage().contains("--tokenizer"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    @Test
    void transcribeOnAGgmlFileNeedsNoTokenizer() throws IOException {
        Path safetensors = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        Path dir = Files.createDirectories(tmp.resolve("models"));
        Path ggml = dir.resolve("ggml-tiny-random.bin");
        Files.write(ggml, ggml(safetensors, Tiktoken.readRanks(SharedData.data("tokenizers/multilingual.tiktoken"))));
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        String[] opts = {"--beam-size", "1", "--no-fallback", "--language", "en", "--to", "3"};
        List<String> viaGgml = new ArrayList<>(List.of("--quiet", "transcribe", wav.toString(), "--model", ggml.toString()));
        viaGgml.addAll(List.of(opts));
        List<String> viaTiktoken = new ArrayList<>(List.of("--quiet", "transcribe", wav.toString(), "--model", safetensors.toString(),
                "--tokenizer", SharedData.data("tokenizers").toString()));
        viaTiktoken.addAll(List.of(opts));
        CliRun a = CliRun.of(viaGgml.toArray(String[]::new)), b = CliRun.of(viaTiktoken.toArray(String[]::new));
        assertEquals(0, b.rc(), b.err());
        assertEquals(0, a.rc(), a.err());
        assertEquals(b.out(), a.out());
        assertTrue(!a.out().isBlank());
    }

    /** The tiny random Whisper as whisper.cpp's converter lays it out (f16 matrices, f32 vectors, conv biases [n, 1]). */
    static byte[] ggml(Path safetensors, byte[][] vocab) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (WeightSource src = WeightSources.open(safetensors)) {
            int[] hp = {51865, 1500, 64, 4, 2, 448, 64, 4, 2, 80, 1};
            ByteBuffer h = ByteBuffer.allocate(4 * 16).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x67676d6c);
            for (int v : hp) h.putInt(v);
            o.write(h.array(), 0, h.position());
            float[] mel = MelFilters.whisper(80).toArray();
            o.write(le(80, 201));
            o.write(Quantize.toF32(mel));
            o.write(le(vocab.length));
            for (byte[] t : vocab) {
                o.write(le(t.length));
                o.write(t);
            }
            for (String name : src.names()) {
                StoredTensor t = src.get(name);
                long[] shape = t.shape();
                if (name.startsWith("encoder.conv") && name.endsWith(".bias")) shape = new long[] {shape[0], 1};
                boolean vector = shape.length < 2 || name.endsWith(".bias");
                byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
                o.write(le(shape.length, nameBytes.length, vector ? 0 : 1));
                for (int d = shape.length - 1; d >= 0; d--) o.write(le((int) shape[d]));
                o.write(nameBytes);
                o.write(vector ? Quantize.toF32(t.toFloats()) : Quantize.toF16(t.toFloats()));
            }
        }
        return o.toByteArray();
    }

    private static byte[] le(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }
}
