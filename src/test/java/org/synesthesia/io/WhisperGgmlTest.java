package org.synesthesia.io;

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
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class WhisperGgmlTest {
    @TempDir Path tmp;

    @Test
    void whisperCppTestHeaders() throws IOException {
        float[] mel80 = npy(SharedData.data("mel/mel_filters.npz"), "mel_80.npy");
        for (String name : List.of("for-tests-ggml-tiny.bin", "for-tests-ggml-tiny.en.bin")) {
            Path p = SharedData.data("configs/whisper-ggml-headers/" + name);
            try (WeightSource src = WeightSources.open(p)) {
                WhisperGgml g = (WhisperGgml) src;
                boolean en = name.contains(".en.");
                assertEquals(new WhisperGgml.HParams(en ? 51864 : 51865, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1), g.hparams());
                assertEquals("whisper-ggml", g.format());
                assertEquals("384", g.metadata().get("n_audio_state"));
                assertEquals(0, g.names().size());
                g.melFilters().expectShape(80, 201);
                // whisper.cpp's converter writes openai's mel_80 filterbank
                org.synesthesia.testing.Assert.close(name, mel80, g.melFilters().toFloats(), 0, 0); // equal (one -0.0 is 0.0 there)
                assertEquals(50257, g.vocabulary().size());
                assertEquals("!", new String(g.vocabulary().get(0), StandardCharsets.UTF_8));
                assertEquals(en ? "<|endoftext|>" : "", new String(g.vocabulary().get(50256), StandardCharsets.UTF_8));
            }
        }
    }

    /** Reads a float32 C-order array out of an .npz (a zip of .npy files). */
    static float[] npy(Path npz, String entry) throws IOException {
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(npz))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (!e.getName().equals(entry)) continue;
                byte[] b = z.readAllBytes();
                int hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
                String header = new String(b, 10, hlen, StandardCharsets.US_ASCII);
                assertTrue(header.contains("'<f4'") && header.contains("False"), header);
                ByteBuffer bb = ByteBuffer.wrap(b, 10 + hlen, b.length - 10 - hlen).order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[bb.remaining() / 4];
                bb.asFloatBuffer().get(v);
                return v;
            }
        }
        throw new AssertionError(entry + " not in " + npz);
    }

    /** A ggml file as whisper.cpp writes it, with the given tensors: {name, type id, ne (innermost first), data}. */
    static byte[] ggml(List<Object[]> tensors) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x67676d6c);
        for (int v : new int[] {3, 1500, 64, 4, 2, 448, 64, 4, 2, 2, 1}) b.putInt(v);
        b.putInt(2).putInt(3);
        for (int i = 0; i < 6; i++) b.putFloat(i * 0.5f);
        b.putInt(3);
        for (String t : List.of("a", "hello", "<|endoftext|>")) {
            byte[] u = t.getBytes(StandardCharsets.UTF_8);
            b.putInt(u.length).put(u);
        }
        for (Object[] t : tensors) {
            byte[] name = ((String) t[0]).getBytes(StandardCharsets.UTF_8);
            int[] ne = (int[]) t[2];
            b.putInt(ne.length).putInt(name.length).putInt((Integer) t[1]);
            for (int d : ne) b.putInt(d);
            b.put(name).put((byte[]) t[3]);
        }
        o.write(b.array(), 0, b.position());
        return o.toByteArray();
    }

    @Test
    void tensorsOfAFileWrittenHere() throws IOException {
        float[] w = GgufTest.randn(new java.util.Random(3), 24), q = GgufTest.randn(new java.util.Random(4), 64), bias = {1, 2, 3, 4, 5};
        List<Object[]> ts = new ArrayList<>();
        ts.add(new Object[] {"encoder.conv1.weight", 1, new int[] {3, 2, 4}, Quantize.toF16(w)});
        ts.add(new Object[] {"encoder.conv1.bias", 0, new int[] {5}, Quantize.toF32(bias)});
        ts.add(new Object[] {"decoder.token_embedding.weight", 8, new int[] {32, 2}, Quantize.toQ8_0(q)});
        ts.add(new Object[] {"decoder.blocks.0.mlp.0.weight", 2, new int[] {32, 2}, Quantize.toQ4_0(q)});
        Path f = tmp.resolve("ggml-test.bin");
        Files.write(f, ggml(ts));
        try (WhisperGgml g = WhisperGgml.open(f)) {
            assertEquals(List.of("encoder.conv1.weight", "encoder.conv1.bias", "decoder.token_embedding.weight", "decoder.blocks.0.mlp.0.weight"),
                    new ArrayList<>(g.names()));
            assertEquals(DType.F16, g.get("encoder.conv1.weight").expectShape(4, 2, 3).dtype());
            float[] back = g.get("encoder.conv1.weight").toFloats();
            for (int i = 0; i < w.length; i++) assertEquals(Float.float16ToFloat(Float.floatToFloat16(w[i])), back[i]);
            assertArrayEquals(bias, g.get("encoder.conv1.bias").toFloats());
            assertEquals(DType.Q8_0, g.get("decoder.token_embedding.weight").expectShape(2, 32).dtype());
            assertEquals(DType.Q4_0, g.get("decoder.blocks.0.mlp.0.weight").expectShape(2, 32).dtype());
            assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f}, g.melFilters().expectShape(2, 3).toFloats());
            assertEquals("<|endoftext|>", new String(g.vocabulary().get(2), StandardCharsets.UTF_8));
            assertEquals("3", g.metadata().get("n_vocab"));
        }
        byte[] all = Files.readAllBytes(f);
        for (int cut : new int[] {all.length - 1, all.length - 40, 70, 2}) {
            Path c = tmp.resolve("cut" + cut + ".bin");
            Files.write(c, Arrays.copyOf(all, cut));
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperGgml.open(c));
            TorchCheckpointTest.assertOneLine(e, c, cut == 2 ? "not a whisper.cpp ggml file" : "truncated");
        }
    }

    @Test
    void unknownTensorTypeNamesTheTensor() throws IOException {
        Path f = tmp.resolve("q5k.bin");
        Files.write(f, ggml(List.<Object[]>of(new Object[] {"encoder.blocks.0.attn.query.weight", 13, new int[] {256, 1}, new byte[176]})));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WhisperGgml.open(f));
        TorchCheckpointTest.assertOneLine(e, f, "tensor encoder.blocks.0.attn.query.weight has unsupported tensor type Q5_K (ggml type 13");
    }
}
