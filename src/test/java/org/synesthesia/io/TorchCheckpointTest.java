package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

class TorchCheckpointTest {
    @TempDir Path tmp;

    /** openai Whisper layout {"dims", "model_state_dict"}: every tensor equals the golden safetensors export, bit for bit. */
    @Test
    void whisperModelPtEqualsItsSafetensors() {
        Path pt = SharedData.golden("whisper_tiny_random", "model.pt");
        Path st = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        try (TorchZip z = TorchZip.open(pt); SafeTensors s = SafeTensors.open(st)) {
            assertEquals("pytorch-zip", z.format());
            assertEquals(89, z.names().size());
            assertEquals(new ArrayList<>(s.names()).stream().sorted().toList(), new ArrayList<>(z.names()).stream().sorted().toList());
            for (String n : z.names()) {
                StoredTensor a = z.get(n), b = s.get(n);
                assertEquals(b.dtype(), a.dtype(), n);
                assertArrayEquals(b.shape(), a.shape(), n);
                assertArrayEquals(b.data().toArray(ValueLayout.JAVA_BYTE), a.data().toArray(ValueLayout.JAVA_BYTE), n);
            }
            z.get("encoder.conv1.weight").expectShape(64, 80, 3);
            Map<String, Object> dims = Json.parseObject(z.metadata().get("dims"));
            assertEquals(Json.parseObject(s.metadata().get("dims")), dims);
            assertEquals(51865L, dims.get("n_vocab"));
        }
    }

    /** HiFi-GAN V2's legacy pickle {'generator': state_dict}; values cross-checked with Python's pickle + numpy. */
    @Test
    void hifiganLegacyPickle() {
        Path p = SharedData.data("weights/hifigan-v2-ljspeech/generator_v2");
        try (TorchLegacy t = TorchLegacy.open(p)) {
            assertEquals(234, t.names().size());
            long params = 0;
            for (String n : t.names()) {
                StoredTensor x = t.get(n);
                assertEquals(DType.F32, x.dtype());
                params += x.elements();
                for (float v : x.toFloats()) assertTrue(Float.isFinite(v), n);
            }
            assertEquals(928_514, params);
            assertEquals("conv_pre.bias", t.names().iterator().next());
            t.get("conv_pre.weight_v").expectShape(128, 80, 7);
            t.get("conv_pre.weight_g").expectShape(128, 1, 1);
            checkValues(t.get("conv_pre.bias"), 9.249612224492012, 0.03521765023469925f, 0.07036332786083221f, -0.0061147683300077915f);
            checkValues(t.get("conv_post.weight_v"), -0.3182493453787174, 0.04680175706744194f, 0.03851327300071716f, -0.05615410953760147f);
            checkValues(t.get("ups.1.weight_v").expectShape(64, 32, 16), 118.63667951562283, -0.004415634088218212f, -0.0022641923278570175f, -0.03080333210527897f);
            assertTrue(t.metadata().isEmpty(), t.metadata().toString());
        }
    }

    private static void checkValues(StoredTensor t, double sum, float... first) {
        float[] v = t.toFloats();
        assertArrayEquals(first, Arrays.copyOf(v, first.length), t.name());
        double s = 0;
        for (float x : v) s += x;
        assertEquals(sum, s, 1e-9 * Math.max(1, Math.abs(sum)), t.name());
    }

    @Test
    void truncatedCheckpointsAreOneLineErrors() throws IOException {
        byte[] pt = Files.readAllBytes(SharedData.golden("whisper_tiny_random", "model.pt"));
        for (int cut : new int[] {pt.length - 10, pt.length / 2, 100}) {
            Path c = tmp.resolve("cut" + cut + ".pt");
            Files.write(c, Arrays.copyOf(pt, cut));
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> TorchZip.open(c));
            assertOneLine(e, c, "truncated");
        }
        byte[] legacy = Files.readAllBytes(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"));
        for (int cut : new int[] {legacy.length - 1, legacy.length / 2, 30, 5}) {
            Path c = tmp.resolve("cut" + cut);
            Files.write(c, Arrays.copyOf(legacy, cut));
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> TorchLegacy.open(c));
            assertOneLine(e, c, "truncated");
        }
        byte[] wrong = legacy.clone();
        wrong[6] ^= 0x55; // inside the magic number
        Path w = tmp.resolve("wrongmagic");
        Files.write(w, wrong);
        assertOneLine(assertThrows(SynesthesiaException.class, () -> TorchLegacy.open(w)), w, "wrong magic number");
        assertEquals(WeightSources.Format.UNKNOWN, WeightSources.detect(w));
    }

    static void assertOneLine(SynesthesiaException e, Path file, String expected) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), m);
        assertTrue(m.contains(expected), m);
        assertFalse(m.contains("\n"), m);
    }

    /** A checkpoint with a forbidden global, built by hand: refused, naming the file and the global. */
    @Test
    void forbiddenGlobalInCheckpoint() throws IOException {
        byte[] pkl = new PickleBytes().proto(2).emptyDict().str("x").global("posix", "system").str("touch /tmp/pwned").op(0x85).reduce()
                .op('s').stop().bytes();
        Path p = tmp.resolve("evil.pt");
        Files.write(p, new TestZip(false).add("archive/data.pkl", pkl, false).finish());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(p));
        assertEquals(p + ": refusing to load global posix.system: only tensors and state dicts are allowed", e.getMessage());
        assertFalse(Files.exists(Path.of("/tmp/pwned")));
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /**
     * A hand-made zip checkpoint: {'state_dict': {a: storage offset 2, shape [2,3]; t: a transposed view
     * (stride [1,3]); h: F16 in a DEFLATED entry}, 'epoch': 3}, as a plain zip and in ZIP64 form.
     */
    @Test
    void offsetsStridesDeflateAndZip64() throws IOException {
        float[] store = {9, 9, 0, 1, 2, 3, 4, 5};
        PickleBytes p = new PickleBytes().proto(2).emptyDict().mark();
        p.str("epoch").integer(3);
        p.str("state_dict").emptyDict().mark();
        p.str("a").tensor("FloatStorage", "0", 8, 2, new long[] {2, 3}, new long[] {3, 1});
        p.str("t").tensor("FloatStorage", "0", 8, 2, new long[] {3, 2}, new long[] {1, 3});
        p.str("h").tensor("HalfStorage", "1", 2, 0, new long[] {2}, new long[] {1});
        p.setItems().setItems().stop();
        ByteBuffer half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f));
        for (boolean zip64 : new boolean[] {false, true}) {
            Path f = tmp.resolve("handmade" + zip64 + ".pt");
            Files.write(f, new TestZip(zip64).add("archive/data.pkl", p.bytes(), true).add("archive/byteorder", "little".getBytes(), false)
                    .add("archive/data/0", floats(store), false).add("archive/data/1", half.array(), true).finish());
            try (WeightSource s = WeightSources.open(f)) {
                assertEquals("pytorch-zip", s.format());
                assertEquals(List.of("a", "t", "h"), new ArrayList<>(s.names()));
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, s.get("a").toFloats());
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, s.get("t").expectShape(3, 2).toFloats());
                assertArrayEquals(new float[] {1.5f, -2f}, s.get("h").toFloats());
                assertEquals(DType.F16, s.get("h").dtype());
                assertEquals("3", s.metadata().get("epoch"));
            }
        }
        // a tensor that runs past its storage
        byte[] over = new PickleBytes().proto(2).emptyDict().str("a").tensor("FloatStorage", "0", 8, 4, new long[] {2, 3}, new long[] {3, 1})
                .op('s').stop().bytes();
        Path f = tmp.resolve("over.pt");
        Files.write(f, new TestZip(false).add("archive/data.pkl", over, false).add("archive/data/0", floats(store), false).finish());
        assertOneLine(assertThrows(SynesthesiaException.class, () -> TorchZip.open(f)), f, "runs past its storage");
        // a storage entry missing from the archive
        Path g = tmp.resolve("missing.pt");
        Files.write(g, new TestZip(false).add("archive/data.pkl", over, false).finish());
        assertOneLine(assertThrows(SynesthesiaException.class, () -> TorchZip.open(g)), g, "storage 0");
    }

    /**
     * Lightning-style side data beside the state dict (a numpy int64 scalar global_step, a callbacks dict keyed by
     * the ModelCheckpoint class) is read as data: the weights load, the step shows as metadata, nothing is constructed.
     */
    @Test
    void lightningCheckpointSideData() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().mark();
        p.str("epoch").integer(6);
        p.str("global_step").global("numpy.core.multiarray", "scalar")
                .global("numpy", "dtype").mark().str("i8").bool(false).bool(true).tuple().reduce()
                .mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0).tuple().op('b')
                .op('C', 8, 5, 0, 0, 0, 0, 0, 0, 0).op(0x86).reduce();
        p.str("callbacks").emptyDict().global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint")
                .emptyDict().str("best_model_score").none().op('s').op('s');
        p.str("state_dict").emptyDict().str("model.w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s');
        p.setItems().stop();
        Path f = tmp.resolve("lightning.ckpt");
        Files.write(f, new TestZip(false).add("archive/data.pkl", p.bytes(), false).add("archive/data/0", floats(1, 2), false).finish());
        try (WeightSource s = WeightSources.open(f)) {
            assertEquals(List.of("model.w"), new ArrayList<>(s.names()));
            assertArrayEquals(new float[] {1, 2}, s.get("model.w").toFloats());
            assertEquals("6", s.metadata().get("epoch"));
            assertEquals("5", s.metadata().get("global_step"));
            assertTrue(s.metadata().get("callbacks").contains("best_model_score"), s.metadata().toString());
        }
    }
}
