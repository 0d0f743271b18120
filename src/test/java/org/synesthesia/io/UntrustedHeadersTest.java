package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.util.SynesthesiaException;

/**
 * Crafted headers from untrusted files (issue 13 items 4, 5, 8, 10, 11): each must end in one printable line
 * naming the file and the problem, never a stack overflow, an arithmetic exception, a wrapped-around size or
 * terminal control bytes.
 */
class UntrustedHeadersTest {
    @TempDir Path dir;

    /** The one-line error opening {@code bytes} as {@code name} gives; asserts it is printable and short. */
    private String error(String name, byte[] bytes) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(f).close());
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        assertPrintable(m);
        return m;
    }

    static void assertPrintable(String m) {
        assertTrue(m.length() <= 2100, "message of " + m.length() + " characters");
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            assertFalse(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xfffd, "control character " + (int) c + " in " + m);
        }
    }

    // ---- item 4: recursion ----

    @Test
    void selfReferencingPickleIsRefused() {
        // a = []; a.append(a)
        byte[] p = new PickleBytes().proto(2).op(']').put(0).get(0).op('a').stop().bytes();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Unpickler.load("self.pkl", p, null));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());
    }

    @Test
    void cycleThroughADictIsRefusedInATorchZip() throws Exception {
        // {"w": [d]} where d is the dict itself, as archive/data.pkl
        byte[] p = new PickleBytes().proto(2).emptyDict().put(0).str("w").op(']').get(0).op('a').op('s').stop().bytes();
        byte[] zip = new TestZip(false).add("archive/data.pkl", p, false).add("archive/byteorder", "little".getBytes(), false).finish();
        assertTrue(error("cycle.pt", zip).contains("contains itself"));
    }

    @Test
    void millionDeepPickleIsRefused() {
        int depth = 200_000; // far past any thread stack (the recursive walker overflowed near 10,000)
        PickleBytes pb = new PickleBytes().proto(2);
        for (int i = 0; i < depth; i++) pb.op(']');
        for (int i = 1; i < depth; i++) pb.op('a');
        byte[] p = pb.stop().bytes();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Unpickler.load("deep.pkl", p, null));
        assertTrue(e.getMessage().contains("nest more than " + Unpickler.MAX_DEPTH), e.getMessage());
    }

    @Test
    void sharedReferencesCannotExpandExponentially() {
        // l0 = ['x'], l(k+1) = [lk, lk]: 64 levels of 2 references each is 2^64 paths in a ~400-byte pickle
        PickleBytes pb = new PickleBytes().proto(2).op(']').str("x").op('a').put(0);
        for (int k = 1; k <= 64; k++) pb.op(']').get(k - 1).op('a').get(k - 1).op('a').put(k);
        byte[] p = pb.stop().bytes();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Unpickler.load("laughs.pkl", p, null));
        assertTrue(e.getMessage().contains("expand to more than"), e.getMessage());
    }

    @Test
    void listAsDictKeyIsRefused() {
        // d = {}; k = []; k.append(k); d[k] = None  (Python: unhashable)
        byte[] p = new PickleBytes().proto(2).emptyDict().op(']').put(0).get(0).op('a').none().op('s').stop().bytes();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Unpickler.load("key.pkl", p, null));
        assertTrue(e.getMessage().contains("unhashable"), e.getMessage());
    }

    @Test
    void containsTensorIsCycleSafe() {
        List<Object> a = new ArrayList<>();
        a.add(a);
        List<Object> deep = new ArrayList<>();
        List<Object> cur = deep;
        for (int i = 0; i < 100_000; i++) { List<Object> n = new ArrayList<>(); cur.add(n); cur = n; }
        assertFalse(TorchStateDict.containsTensor(a));
        assertFalse(TorchStateDict.containsTensor(deep));
        cur.add(new Unpickler.TensorRef(null, 0, new long[0], new long[0]));
        assertTrue(TorchStateDict.containsTensor(deep));
    }

    @Test
    void deepSafetensorsHeaderIsOneLine() throws Exception {
        String json = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertTrue(error("deep.safetensors", safetensors(json, 0)).contains("nest more than 512"));
    }

    // ---- item 5: size arithmetic ----

    @Test
    void ggufTensorOf2To62ElementsIsDamaged() throws Exception {
        // F32 [2^31, 2^31]: 2^62 elements, 2^64 bytes, which wrapped to 0 and passed as an empty tensor
        String m = error("big.gguf", gguf(3, "w", new long[] {1L << 31, 1L << 31}, 0, 0));
        assertTrue(m.contains("damaged tensor header: tensor w "), m);
    }

    @Test
    void ggufDimensionProductOverflowIsDamaged() throws Exception {
        String m = error("overflow.gguf", gguf(3, "w", new long[] {1L << 62, 4}, 0, 0));
        assertTrue(m.contains("damaged tensor header: tensor w ") && m.contains("2^63-1"), m);
        m = error("max.gguf", gguf(3, "w", new long[] {Long.MAX_VALUE}, 0, 0));
        assertTrue(m.contains("damaged tensor header: tensor w "), m);
    }

    @Test
    void ggufOffsetPastTheFileIsTruncatedWithAnOrderedRange() throws Exception {
        String m = error("far.gguf", gguf(3, "w", new long[] {4}, Long.MAX_VALUE - 31, 16));
        assertTrue(m.contains("truncated") && m.contains("tensor w"), m);
        m = error("near.gguf", gguf(3, "w", new long[] {1L << 40}, 0, 16));
        assertTrue(m.contains("truncated") && m.contains("4398046511104 bytes at byte"), m);
    }

    @Test
    void safetensorsTensorOf2To62ElementsIsDamaged() throws Exception {
        String m = error("big.safetensors", safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", 0));
        assertTrue(m.contains("damaged tensor header: tensor w "), m);
        m = error("prod.safetensors", safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}", 0));
        assertTrue(m.contains("damaged tensor header: tensor w "), m);
    }

    @Test
    void torchZipTensorOf2To62ElementsIsDamaged() throws Exception {
        long n = 1L << 62;
        byte[] p = new PickleBytes().proto(2).emptyDict().mark().str("w")
                .tensor("FloatStorage", "0", n, 0, new long[] {n}, new long[] {1}).setItems().stop().bytes();
        byte[] zip = new TestZip(false).add("archive/data.pkl", p, false).add("archive/byteorder", "little".getBytes(), false)
                .add("archive/data/0", new byte[16], false).finish();
        String m = error("big.pt", zip);
        assertTrue(m.contains("damaged tensor header: tensor w "), m);
    }

    @Test
    void npyShapeOverflowIsDamaged() {
        // 2^31-1 x 2^31-1 x 2^31-1 elements: the product wrapped around before
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> Npy.parse(NpyTest.npy("<f4", false, "(2147483647, 2147483647, 2147483647)", new byte[16], 1), "big.npy"));
        assertTrue(e.getMessage().startsWith("big.npy: damaged tensor header"), e.getMessage());
        e = assertThrows(SynesthesiaException.class,
                () -> Npy.parse(NpyTest.npy("<f8", false, "(1073741824, 4)", new byte[16], 1), "long.npy"));
        assertTrue(e.getMessage().startsWith("long.npy: truncated"), e.getMessage());
    }

    // ---- item 8: file bytes in messages, claimed counts ----

    @Test
    void controlBytesInAGgufKeyAreEscapedAndCut() throws Exception {
        String key = "\u001b]0;pwned\u0007\u001b[31m" + "A".repeat(80_000);
        ByteBuffer b = le(200_000).putInt(Gguf.MAGIC).putInt(3).putLong(0).putLong(1);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        b.putLong(k.length).put(k).putInt(99); // unknown value type
        String m = error("escape.gguf", bytes(b));
        assertTrue(m.contains("\\x1b]0;pwned\\x07\\x1b[31m") && m.contains("..."), m);
        assertTrue(m.length() < 600, m.length() + " characters");
    }

    @Test
    void ggmlClaimingBillionsOfLayersIsDamaged() throws Exception {
        byte[] f = WhisperGgmlTest.ggml(List.<Object[]>of(new Object[] {"encoder.conv1.bias", 0, new int[] {2}, new byte[8]}));
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + 4 * 4, Integer.MAX_VALUE); // n_audio_layer
        String m = error("layers.bin", f);
        assertTrue(m.contains("2147483647 audio") && m.contains("layers"), m);
    }

    @Test
    void ggufCountsBeyondTheFileAreDamaged() throws Exception {
        String m = error("counts.gguf", bytes(le(64).putInt(Gguf.MAGIC).putInt(3).putLong(1L << 40).putLong(0)));
        assertTrue(m.contains("1099511627776 tensors") && m.contains("cannot fit"), m);
        ByteBuffer b = le(256).putInt(Gguf.MAGIC).putInt(3).putLong(0).putLong(1);
        b.putLong(1).put((byte) 'k').putInt(GgufValue.Type.ARRAY.id()).putInt(GgufValue.Type.UINT64.id()).putLong(1L << 40);
        m = error("array.gguf", bytes(b));
        assertTrue(m.contains("metadata k claims 1099511627776 array elements"), m);
    }

    // ---- item 10: safetensors layout ----

    @Test
    void overlappingSafetensorsOffsetsAreRefused() throws Exception {
        String m = error("overlap.safetensors", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        assertTrue(m.contains("tensor b") && m.contains("overlaps tensor a"), m);
    }

    @Test
    void holeBetweenSafetensorsIsRefused() throws Exception {
        String m = error("hole.safetensors", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20));
        assertTrue(m.contains("4 unused data bytes before tensor b"), m);
    }

    @Test
    void trailingSafetensorsBytesAreRefused() throws Exception {
        String m = error("tail.safetensors", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 9));
        assertTrue(m.contains("cover 8 data bytes but the file has 9"), m);
    }

    @Test
    void duplicateSafetensorsNamesAreRefused() throws Exception {
        String m = error("dup.safetensors", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16));
        assertTrue(m.contains("duplicate key \"a\""), m);
    }

    @Test
    void headerLengthOneByteShortIsRefused() throws Exception {
        // a header padded with spaces, its length one byte short: the JSON still parses, data starts one byte early
        byte[] ok = safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   ", 8);
        Path good = dir.resolve("good.safetensors");
        Files.write(good, ok);
        try (SafeTensors st = SafeTensors.open(good)) { assertEquals(1, st.names().size()); }
        ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getLong(0) - 1);
        String m = error("short.safetensors", ok);
        assertTrue(m.contains("cover 8 data bytes but the file has 9"), m);
    }

    // ---- item 11: wording ----

    @Test
    void safetensorsCutInsideItsHeaderIsTruncated() throws Exception {
        byte[] whole = safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        String m = error("cut.safetensors", java.util.Arrays.copyOf(whole, 30));
        assertTrue(m.contains("truncated"), m);
        assertFalse(m.contains("not a recognised"), m);
    }

    @Test
    void ggufVersionPrintsUnsigned() throws Exception {
        String m = error("v.gguf", bytes(le(64).putInt(Gguf.MAGIC).putInt(-1).putLong(0).putLong(0)));
        assertTrue(m.contains("unsupported GGUF version 4294967295"), m);
    }

    // ---- file builders ----

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] bytes(ByteBuffer b) {
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** safetensors: u64 header length, the JSON header, {@code dataBytes} zero bytes. */
    static byte[] safetensors(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(le(8).putLong(h.length).array());
        o.writeBytes(h);
        o.writeBytes(new byte[dataBytes]);
        return o.toByteArray();
    }

    /** A GGUF v{@code version} with no metadata and one F32 tensor {@code name} of {@code ne} at {@code offset}, then {@code data} bytes. */
    static byte[] gguf(int version, String name, long[] ne, long offset, int data) {
        ByteBuffer b = le(4096).putInt(Gguf.MAGIC).putInt(version).putLong(1).putLong(0);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        b.putLong(n.length).put(n).putInt(ne.length);
        for (long d : ne) b.putLong(d);
        b.putInt(0).putLong(offset);
        while (b.position() % 32 != 0) b.put((byte) 0);
        b.put(new byte[data]);
        return bytes(b);
    }
}
