package org.synesthesia.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files byte by byte for reader tests. */
final class WavFixtures {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    static WavFixtures riff() {
        return new WavFixtures();
    }

    WavFixtures chunk(String id, byte[] data) {
        return chunk(id, data, data.length);
    }

    /** A chunk whose size field says {@code declared} (which may lie), followed by a pad byte if the data is odd. */
    WavFixtures chunk(String id, byte[] data, long declared) {
        body.writeBytes(id.getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(le32((int) declared));
        body.writeBytes(data);
        if ((data.length & 1) == 1) body.write(0);
        return this;
    }

    WavFixtures fmt(int tag, int channels, int rate, int bits) {
        int align = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits);
        return chunk("fmt ", b.array());
    }

    /** WAVE_FORMAT_EXTENSIBLE with sub-format {@code subTag} (1 PCM, 3 float) and the standard GUID tail. */
    WavFixtures fmtExtensible(int subTag, int channels, int rate, int bits, int validBits) {
        int align = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * align).putShort((short) align).putShort((short) bits);
        b.putShort((short) 22).putShort((short) validBits).putInt(channels == 2 ? 3 : 4);
        b.putShort((short) subTag).put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        return chunk("fmt ", b.array());
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(le32(4 + body.size()));
        out.writeBytes("WAVE".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] int16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    static byte[] int24(int... v) {
        byte[] b = new byte[3 * v.length];
        for (int i = 0; i < v.length; i++) {
            b[3 * i] = (byte) v[i];
            b[3 * i + 1] = (byte) (v[i] >> 8);
            b[3 * i + 2] = (byte) (v[i] >> 16);
        }
        return b;
    }

    static byte[] int32(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    static byte[] float32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] float64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }
}
