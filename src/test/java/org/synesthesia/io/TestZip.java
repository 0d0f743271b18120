package org.synesthesia.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal zip writer for tests: STORED or DEFLATED entries, optionally forced into ZIP64 form (64-bit sizes and
 * offsets in extra fields, a ZIP64 end record and locator) so the reader's ZIP64 path runs on a small file.
 */
final class TestZip {
    private record Item(String name, int method, long crc, long size, long csize, long offset) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Item> items = new ArrayList<>();
    private final boolean zip64;

    TestZip(boolean zip64) {
        this.zip64 = zip64;
    }

    TestZip add(String name, byte[] data, boolean deflate) {
        CRC32 crc = new CRC32();
        crc.update(data);
        byte[] stored = data;
        if (deflate) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream c = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) c.write(buf, 0, d.deflate(buf));
            d.end();
            stored = c.toByteArray();
        }
        long offset = out.size();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        // pad the data to 64 bytes, as PyTorch does, with an extra field
        int base = 30 + n.length + 4;
        int pad = (int) ((64 - (offset + base) % 64) % 64);
        ByteBuffer h = le(30);
        h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) (deflate ? 8 : 0)).putInt(0).putInt((int) crc.getValue())
                .putInt(stored.length).putInt(data.length).putShort((short) n.length).putShort((short) (4 + pad));
        out.writeBytes(h.array());
        out.writeBytes(n);
        out.writeBytes(le(4).putShort((short) 0x4642).putShort((short) pad).array());
        out.writeBytes(new byte[pad]);
        out.writeBytes(stored);
        items.add(new Item(name, deflate ? 8 : 0, crc.getValue(), data.length, stored.length, offset));
        return this;
    }

    byte[] finish() {
        long cdOffset = out.size();
        for (Item it : items) {
            byte[] n = it.name().getBytes(StandardCharsets.UTF_8);
            int extra = zip64 ? 4 + 24 : 0;
            ByteBuffer h = le(46);
            h.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) it.method()).putInt(0)
                    .putInt((int) it.crc()).putInt(zip64 ? -1 : (int) it.csize()).putInt(zip64 ? -1 : (int) it.size())
                    .putShort((short) n.length).putShort((short) extra).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(zip64 ? -1 : (int) it.offset());
            out.writeBytes(h.array());
            out.writeBytes(n);
            if (zip64) out.writeBytes(le(28).putShort((short) 1).putShort((short) 24).putLong(it.size()).putLong(it.csize()).putLong(it.offset()).array());
        }
        long cdSize = out.size() - cdOffset;
        if (zip64) {
            long z = out.size();
            out.writeBytes(le(56).putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(items.size()).putLong(items.size()).putLong(cdSize).putLong(cdOffset).array());
            out.writeBytes(le(20).putInt(0x07064b50).putInt(0).putLong(z).putInt(1).array());
        }
        out.writeBytes(le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) (zip64 ? 0xffff : items.size())).putShort((short) (zip64 ? 0xffff : items.size()))
                .putInt(zip64 ? -1 : (int) cdSize).putInt(zip64 ? -1 : (int) cdOffset).putShort((short) 0).array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
