package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class GgufTest {
    @TempDir Path tmp;

    /** The real TAESD decoder: counts, PyTorch-order shapes, and values cross-checked with an independent numpy parse. */
    @Test
    void taesdDecoder() {
        Path p = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        try (Gguf g = Gguf.open(p)) {
            assertEquals(3, g.version());
            assertEquals(67, g.names().size());
            long params = 0;
            for (String n : g.names()) {
                StoredTensor t = g.get(n);
                params += t.elements();
                assertEquals(n.endsWith(".weight") && t.rank() == 4 ? DType.F16 : DType.F32, t.dtype(), n);
            }
            assertEquals(1_222_531, params);
            assertEquals("taesd_decoder.safetensors", g.metadata().get("sd.vae.name"));
            assertEquals(GgufValue.i32(0), g.values().get("sd.vae.dtype"));
            StoredTensor w = g.get("first_stage_model.decoder.15.conv.4.weight").expectShape(64, 64, 3, 3);
            float[] v = w.toFloats();
            assertArrayEquals(new float[] {-0.01439666748046875f, -0.00334930419921875f, 0.01349639892578125f}, Arrays.copyOf(v, 3));
            double s = 0;
            for (float x : v) s += x;
            assertEquals(-220.5191211104393, s, 1e-9);
            assertArrayEquals(new float[] {0.004684749990701675f, 0.22084549069404602f, -0.06338917464017868f},
                    Arrays.copyOf(g.get("first_stage_model.decoder.1.bias").expectShape(64).toFloats(), 3));
        }
    }

    /** Rewriting the TAESD file with the writer from what the reader saw gives back the same bytes. */
    @Test
    void rewritingTaesdIsByteIdentical() throws IOException {
        Path p = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        Path out = tmp.resolve("taesd.gguf");
        try (Gguf g = Gguf.open(p)) {
            GgufWriter w = new GgufWriter();
            g.values().forEach(w::put);
            for (String n : g.names()) w.tensor(g.get(n));
            w.write(out);
        }
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(out));
    }

    @Test
    void roundTripsEveryMetadataTypeAndTensorType() throws IOException {
        Random r = new Random(5);
        for (int alignment : new int[] {0, 64}) {
            GgufWriter w = new GgufWriter();
            if (alignment > 0) w.alignment(alignment);
            w.put("u8", GgufValue.u8(255)).put("i8", GgufValue.i8(-128)).put("u16", GgufValue.u16(65535)).put("i16", GgufValue.i16(-32768))
                    .put("u32", GgufValue.u32(4_000_000_000L)).put("i32", GgufValue.i32(-7)).put("u64", GgufValue.u64(-1L))
                    .put("i64", GgufValue.i64(Long.MIN_VALUE)).put("f32", GgufValue.f32(0.1f)).put("f64", GgufValue.f64(-2.5e300))
                    .put("bool", GgufValue.bool(true)).put("str", "héllo ☃").put("empty", GgufValue.string(""))
                    .put("tokens", GgufValue.array(GgufValue.Type.STRING, List.of("a", "bc", "")))
                    .put("scores", GgufValue.array(GgufValue.Type.FLOAT32, List.of(1f, -0.5f)))
                    .put("bytes", GgufValue.array(GgufValue.Type.UINT8, List.of(0L, 7L, 255L)))
                    .put("none", GgufValue.array(GgufValue.Type.INT64, List.of()))
                    .put("nested", GgufValue.array(GgufValue.Type.ARRAY, List.of(GgufValue.array(GgufValue.Type.INT32, List.of(1L, 2L)),
                            GgufValue.array(GgufValue.Type.BOOL, List.of(false)))));
            float[] a = randn(r, 15), b = randn(r, 7), c = randn(r, 6), q8 = randn(r, 128), q4 = randn(r, 96);
            w.tensor("f32", DType.F32, new long[] {3, 5}, Quantize.toF32(a));
            w.tensor("f16", DType.F16, new long[] {7}, Quantize.toF16(b));
            w.tensor("bf16", DType.BF16, new long[] {2, 1, 3}, Quantize.toBF16(c));
            w.tensor("q8", DType.Q8_0, new long[] {2, 64}, Quantize.toQ8_0(q8));
            w.tensor("q4", DType.Q4_0, new long[] {3, 32}, Quantize.toQ4_0(q4));
            w.tensor("i32", DType.I32, new long[] {1}, new byte[] {1, 2, 3, 4});
            Path f = tmp.resolve("rt" + alignment + ".gguf");
            w.write(f);
            try (WeightSource src = WeightSources.open(f)) {
                Gguf g = (Gguf) src;
                assertEquals(List.of("f32", "f16", "bf16", "q8", "q4", "i32"), new ArrayList<>(g.names()));
                Map<String, GgufValue> v = g.values();
                assertEquals(alignment > 0 ? 19 : 18, v.size());
                assertEquals(GgufValue.u64(-1L), v.get("u64"));
                assertEquals("18446744073709551615", g.metadata().get("u64"));
                assertEquals("héllo ☃", g.metadata().get("str"));
                assertEquals("[\"a\",\"bc\",\"\"]", g.metadata().get("tokens"));
                assertEquals("[1,-0.5]", g.metadata().get("scores"));
                assertEquals("0.1", g.metadata().get("f32"));
                assertEquals("[[1,2],[false]]", g.metadata().get("nested"));
                try (Gguf again = Gguf.open(f)) {
                    // every value equal to what was written
                    GgufWriter w2 = new GgufWriter();
                    again.values().forEach(w2::put);
                    assertEquals(v, again.values());
                }
                assertEquals(GgufValue.f64(-2.5e300), v.get("f64"));
                assertEquals(GgufValue.array(GgufValue.Type.STRING, List.of("a", "bc", "")), v.get("tokens"));
                int align = alignment > 0 ? alignment : 32;
                assertEquals(0, g.dataStart() % align);
                for (String n : g.names()) assertEquals(0, g.get(n).data().address() % align, n + " is aligned");
                assertArrayEquals(Quantize.toF32(a), g.get("f32").expectShape(3, 5).data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(Quantize.toF16(b), g.get("f16").data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(Quantize.toBF16(c), g.get("bf16").expectShape(2, 1, 3).data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(Quantize.toQ8_0(q8), g.get("q8").expectShape(2, 64).data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(Quantize.toQ4_0(q4), g.get("q4").expectShape(3, 32).data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(a, g.get("f32").toFloats());
                assertEquals(DType.I32, g.get("i32").dtype());
                assertEquals(0x04030201L, g.get("i32").toLongs()[0]);
            }
        }
    }

    @Test
    void writerRejectsWrongSizes() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.tensor("x", DType.F32, new long[] {3}, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> w.tensor("q", DType.Q8_0, new long[] {2, 16}, new byte[34]));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.u8(256));
    }

    /** One F32 tensor "w" of 4 values, no metadata; the tensor's type id sits at byte 45. */
    private Path tiny(String name) throws IOException {
        Path f = tmp.resolve(name);
        new GgufWriter().tensor("w", DType.F32, new long[] {4}, new byte[16]).write(f);
        return f;
    }

    @Test
    void badFilesAreOneLineErrors() throws IOException {
        Path f = tiny("q4k.gguf");
        byte[] b = Files.readAllBytes(f);
        assertEquals(0, b[45]);
        b[45] = 12; // Q4_K
        Files.write(f, b);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Gguf.open(f));
        TorchCheckpointTest.assertOneLine(e, f, "tensor w has unsupported tensor type Q4_K (ggml type 12");
        b[45] = 99;
        Files.write(f, b);
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> Gguf.open(f)), f, "unsupported tensor type unknown (ggml type 99");

        Path m = tiny("magic.gguf");
        byte[] mb = Files.readAllBytes(m);
        mb[0] = 'X';
        Files.write(m, mb);
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> Gguf.open(m)), m, "not a GGUF file");

        byte[] real = Files.readAllBytes(SharedData.data("weights/taesd-decoder/taesd-decoder.gguf"));
        for (int cut : new int[] {real.length - 1, real.length / 2, 300, 10}) {
            Path c = tmp.resolve("cut" + cut + ".gguf");
            Files.write(c, Arrays.copyOf(real, cut));
            TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> Gguf.open(c)), c, "truncated");
        }
    }

    @Test
    void quantizersInvertTheDecoders() {
        Random r = new Random(1);
        float[] x = randn(r, 32 * 9);
        x[5] = 0; // a zero and an all-zero block
        Arrays.fill(x, 64, 96, 0f);
        float[] q8 = decode(DType.Q8_0, Quantize.toQ8_0(x), x.length), q4 = decode(DType.Q4_0, Quantize.toQ4_0(x), x.length);
        for (int blk = 0; blk < x.length / 32; blk++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[blk * 32 + j]));
            for (int j = 0; j < 32; j++) {
                int i = blk * 32 + j;
                assertEquals(x[i], q8[i], amax / 127 * 0.6 + 1e-6, "q8 " + i); // half a step, plus the f16 scale rounding
                assertEquals(x[i], q4[i], amax / 8 * 1.01 + 1e-6, "q4 " + i);
            }
        }
        // a hand-checked Q4_0 block: max-magnitude value -8 gives d = 1, q = x + 8
        float[] blk = new float[32];
        for (int j = 0; j < 32; j++) blk[j] = (j % 16) - 8;
        byte[] q = Quantize.toQ4_0(blk);
        assertEquals(Float.floatToFloat16(1f), (short) ((q[0] & 0xff) | (q[1] << 8)));
        for (int j = 0; j < 16; j++) assertEquals((byte) (j | (j << 4)), q[2 + j]);
        assertArrayEquals(blk, decode(DType.Q4_0, q, 32));
        assertEquals(0x3f80, (Quantize.bf16(1f) & 0xffff));
        assertEquals(0x3f81, (Quantize.bf16(Float.intBitsToFloat(0x3f80c000)) & 0xffff)); // rounds up past half
        assertEquals(0x3f80, (Quantize.bf16(Float.intBitsToFloat(0x3f808000)) & 0xffff)); // ties to even
    }

    private static float[] decode(DType t, byte[] bytes, int n) {
        return new StoredTensor("x", t, new long[] {n}, java.lang.foreign.MemorySegment.ofArray(bytes), "test").toFloats();
    }

    static float[] randn(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
