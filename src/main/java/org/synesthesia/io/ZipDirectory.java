package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.synesthesia.util.SynesthesiaException;

/**
 * The central directory of a zip file read from its mapping (ZIP64 included, since big checkpoints pass 4 GiB).
 * STORED entries are views of the mapping in place; DEFLATED ones are inflated into an off-heap segment.
 *
 * <p>Layout: entries' local headers and data, then the central directory (one {@code PK\1\2} record per entry),
 * then for ZIP64 a ZIP64 end record and its locator, then the end record {@code PK\5\6}, whose 16/32-bit fields
 * hold 0xFFFF/0xFFFFFFFF when the ZIP64 record has the real values.
 */
final class ZipDirectory {
    private static final int EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeader) {}

    private final MappedFile file;
    private final Map<String, Entry> entries;

    private ZipDirectory(MappedFile file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    Map<String, Entry> entries() { return entries; }

    static ZipDirectory read(MappedFile f) {
        MemorySegment s = f.segment();
        long size = f.size();
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--)
            if (s.get(ValueLayout.JAVA_INT_UNALIGNED, p) == EOCD && p + 22 + u16(s, p + 20) <= size) { eocd = p; break; }
        if (eocd < 0) throw SynesthesiaException.inFile(f.path(), "truncated or damaged zip: no end-of-central-directory record");
        long count = u16(s, eocd + 10);
        long cdSize = u32(s, eocd + 12);
        long cdOffset = u32(s, eocd + 16);
        if (eocd >= 20 && s.get(ValueLayout.JAVA_INT_UNALIGNED, eocd - 20) == ZIP64_LOCATOR) {
            long z = s.get(ValueLayout.JAVA_LONG_UNALIGNED, eocd - 20 + 8);
            if (z < 0 || z + 56 > size || s.get(ValueLayout.JAVA_INT_UNALIGNED, z) != ZIP64_EOCD)
                throw SynesthesiaException.inFile(f.path(), "damaged zip: bad ZIP64 end record offset " + z);
            count = s.get(ValueLayout.JAVA_LONG_UNALIGNED, z + 32);
            cdSize = s.get(ValueLayout.JAVA_LONG_UNALIGNED, z + 40);
            cdOffset = s.get(ValueLayout.JAVA_LONG_UNALIGNED, z + 48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size)
            throw SynesthesiaException.inFile(f.path(), "truncated or damaged zip: central directory [" + cdOffset + ", +" + cdSize + ") outside the file of " + size + " bytes");
        Cursor c = new Cursor(f.path(), s.asSlice(cdOffset, cdSize), cdOffset);
        Map<String, Entry> out = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            if (c.i32("central directory record") != CENTRAL)
                throw SynesthesiaException.inFile(f.path(), "damaged zip: central directory record " + i + " has a bad signature");
            c.skip(4, "central directory record");
            int flags = c.u16("flags");
            int method = c.u16("method");
            c.skip(8, "central directory record"); // time, date, crc
            long csize = c.u32("compressed size");
            long usize = c.u32("size");
            int nameLen = c.u16("name length"), extraLen = c.u16("extra length"), commentLen = c.u16("comment length");
            c.skip(8, "central directory record"); // disk, attributes
            long lho = c.u32("local header offset");
            String name = new String(c.bytes(nameLen, "entry name"), StandardCharsets.UTF_8);
            long extraEnd = c.position() + extraLen;
            c.need(extraLen, "extra field");
            while (c.position() + 4 <= extraEnd) {
                int id = c.u16("extra field"), len = c.u16("extra field");
                long next = c.position() + len;
                if (id == 0x0001) { // ZIP64: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order
                    if (usize == 0xffffffffL) usize = c.i64("ZIP64 size");
                    if (csize == 0xffffffffL) csize = c.i64("ZIP64 compressed size");
                    if (lho == 0xffffffffL) lho = c.i64("ZIP64 local header offset");
                }
                c.seek(next);
            }
            c.seek(extraEnd);
            c.skip(commentLen, "entry comment");
            out.put(name, new Entry(name, method, flags, csize, usize, lho));
        }
        return new ZipDirectory(f, Collections.unmodifiableMap(out));
    }

    /** The entry's bytes: a view of the mapping when STORED, an inflated copy in {@code arena} when DEFLATED. */
    MemorySegment data(Entry e, Arena arena) {
        MemorySegment s = file.segment();
        long lh = e.localHeader();
        if (lh < 0 || lh + 30 > file.size()) throw SynesthesiaException.inFile(file.path(), "truncated: local header of " + e.name() + " at byte " + lh + " is past the end");
        if (s.get(ValueLayout.JAVA_INT_UNALIGNED, lh) != LOCAL) throw SynesthesiaException.inFile(file.path(), "damaged zip: bad local header for " + e.name());
        if ((e.flags() & 1) != 0) throw SynesthesiaException.inFile(file.path(), "entry " + e.name() + " is encrypted");
        long start = lh + 30 + u16(s, lh + 26) + u16(s, lh + 28);
        MemorySegment raw = file.slice(start, e.compressedSize(), "zip entry " + e.name());
        return switch (e.method()) {
            case 0 -> {
                if (e.compressedSize() != e.size()) throw SynesthesiaException.inFile(file.path(), "damaged zip: stored entry " + e.name() + " has two sizes");
                yield raw;
            }
            case 8 -> inflate(e, raw, arena);
            default -> throw SynesthesiaException.inFile(file.path(), "entry " + e.name() + " uses zip compression method " + e.method() + " (only stored and deflated are supported)");
        };
    }

    /** Deflate's largest expansion: a 258-byte match per 2 bits, 1032:1 (zlib's technical details). */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private MemorySegment inflate(Entry e, MemorySegment raw, Arena arena) {
        // the claimed size is checked against what the compressed bytes can hold before anything is allocated
        if (e.size() < 0 || e.size() > MAX_DEFLATE_RATIO * e.compressedSize() + 64)
            throw SynesthesiaException.inFile(file.path(), "damaged zip entry " + e.name() + ": claims " + e.size() + " bytes from "
                    + e.compressedSize() + " compressed (deflate expands at most " + MAX_DEFLATE_RATIO + ":1)");
        MemorySegment out = arena.allocate(Math.max(1, e.size()), 64).asSlice(0, e.size());
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw.asByteBuffer());
            long done = 0;
            while (done < e.size()) {
                int chunk = (int) Math.min(1 << 30, e.size() - done);
                int n = inf.inflate(out.asSlice(done, chunk).asByteBuffer());
                if (n == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                done += n;
            }
            if (done != e.size()) throw SynesthesiaException.inFile(file.path(), "truncated or damaged zip entry " + e.name() + ": inflated " + done + " of " + e.size() + " bytes");
            return out;
        } catch (DataFormatException ex) {
            throw SynesthesiaException.inFile(file.path(), "damaged zip entry " + e.name() + ": " + ex.getMessage());
        } finally {
            inf.end();
        }
    }

    private static int u16(MemorySegment s, long p) {
        return s.get(ValueLayout.JAVA_SHORT_UNALIGNED, p) & 0xffff;
    }

    private static long u32(MemorySegment s, long p) {
        return s.get(ValueLayout.JAVA_INT_UNALIGNED, p) & 0xffffffffL;
    }
}
