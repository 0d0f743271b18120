package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class NpyTest {
    @TempDir Path tmp;

    /** An .npy v1 (or v2) file as numpy writes it: header padded with spaces and a newline to a multiple of 64. */
    static byte[] npy(String descr, boolean fortran, String shape, byte[] data, int version) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int pre = version == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes()).put((byte) version).put((byte) 0);
        if (version == 1) b.putShort((short) header.length());
        else b.putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    static byte[] bytes(ByteOrder order, int size, double... v) {
        ByteBuffer b = ByteBuffer.allocate(size * v.length).order(order);
        for (double x : v) {
            switch (size) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong((long) x);
            }
        }
        return b.array();
    }

    @Test
    void typesAndOrders() {
        ByteBuffer f4 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) f4.putFloat(i * 1.5f);
        Tensor t = Npy.parse(npy("<f4", false, "(2, 3)", f4.array(), 1), "a.npy");
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {0, 1.5f, 3, 4.5f, 6, 7.5f}, t.toArray());
        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(0.1).putDouble(-2);
        assertArrayEquals(new float[] {0.1f, -2}, Npy.parse(npy(">f8", false, "(2,)", f8.array(), 2), "b.npy").toArray());
        assertArrayEquals(new float[] {-3, 7}, Npy.parse(npy("<i8", false, "(2,)", bytes(ByteOrder.LITTLE_ENDIAN, 8, -3, 7), 1), "c").toArray());
        assertArrayEquals(new float[] {-3, 7}, Npy.parse(npy("<i4", false, "(2,)", bytes(ByteOrder.LITTLE_ENDIAN, 4, -3, 7), 1), "c").toArray());
        assertArrayEquals(new float[] {-3, 7}, Npy.parse(npy("<i2", false, "(2,)", bytes(ByteOrder.LITTLE_ENDIAN, 2, -3, 7), 1), "c").toArray());
        assertArrayEquals(new float[] {255, 7}, Npy.parse(npy("|u1", false, "(2,)", new byte[] {(byte) 255, 7}, 1), "c").toArray());
        assertArrayEquals(new float[] {-1, 7}, Npy.parse(npy("|i1", false, "(2,)", new byte[] {-1, 7}, 1), "c").toArray());
        assertArrayEquals(new float[] {1, 0}, Npy.parse(npy("|b1", false, "(2,)", new byte[] {1, 0}, 1), "c").toArray());
        Tensor scalar = Npy.parse(npy("<i4", false, "()", bytes(ByteOrder.LITTLE_ENDIAN, 4, 42), 1), "s");
        assertEquals(0, scalar.rank());
        assertArrayEquals(new float[] {42}, scalar.toArray());
        // Fortran order: columns first
        Tensor f = Npy.parse(npy("<i4", true, "(2, 3)", bytes(ByteOrder.LITTLE_ENDIAN, 4, 1, 4, 2, 5, 3, 6), 1), "f");
        assertArrayEquals(new int[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.toArray());
    }

    @Test
    void badArraysAreOneLineErrors() {
        byte[] ok = npy("<f4", false, "(4,)", new byte[16], 1);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Npy.parse(java.util.Arrays.copyOf(ok, ok.length - 1), "x.npy"));
        assertTrue(e.getMessage().startsWith("x.npy: truncated"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Npy.parse(npy("<c8", false, "(1,)", new byte[8], 1), "x.npy"));
        assertTrue(e.getMessage().contains("unsupported npy dtype"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Npy.parse("not numpy at all".getBytes(), "x.npy"));
        assertTrue(e.getMessage().contains("not an npy array"), e.getMessage());
    }

    @Test
    void npzOfStoredAndDeflatedEntries() throws IOException {
        Path p = tmp.resolve("a.npz");
        ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2);
        try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("first.npy"));
            z.write(npy("<f4", false, "(2,)", f4.array(), 1));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("second.npy"));
            z.write(npy("<i2", false, "(1, 1)", bytes(ByteOrder.LITTLE_ENDIAN, 2, 9), 1));
            z.closeEntry();
        }
        Map<String, Tensor> m = Npy.readNpz(p);
        assertEquals(List.of("first", "second"), List.copyOf(m.keySet()));
        assertArrayEquals(new float[] {1, 2}, m.get("first").toArray());
        assertArrayEquals(new int[] {1, 1}, m.get("second").shape());
        Path notZip = Files.writeString(tmp.resolve("b.npz"), "plain text");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Npy.readNpz(notZip));
        assertTrue(e.getMessage().startsWith(notZip + ": not an npz file"), e.getMessage());
    }

    @Test
    void whisperMelFilters() {
        Map<String, Tensor> m = Npy.readNpz(SharedData.data("mel/mel_filters.npz"));
        assertArrayEquals(new int[] {80, 201}, m.get("mel_80").shape());
        assertArrayEquals(new int[] {128, 201}, m.get("mel_128").shape());
        Tensor g = org.synesthesia.io.SafeTensors.readAll(SharedData.golden("whisper_mel", "whisper_mel.safetensors")).get("mel_filters.128");
        assertArrayEquals(g.toArray(), m.get("mel_128").toArray());
    }
}
