package org.synesthesia.image;

import org.synesthesia.util.SynesthesiaException;

/**
 * What an image file's first bytes declare, read before any decoding: the format (from its magic bytes, never the
 * file name), the size, and for GIF the first frame's rectangle. {@link #parse} refuses what is not PNG, JPEG, BMP or
 * GIF; {@link #checkComplete} refuses a file whose structure ends early (a truncated download or copy), which
 * decoders may otherwise fill with grey.
 */
record ImageHeader(Format format, int width, int height, int frameLeft, int frameTop, int frameWidth, int frameHeight) {

    /** The formats read, by their magic bytes. */
    enum Format {
        /** {@code 89 50 4E 47 0D 0A 1A 0A}, then the IHDR chunk. */
        PNG("png"),
        /** {@code FF D8 FF}; the size is in the first SOFn segment. */
        JPEG("jpeg"),
        /** {@code BM}, a BITMAPFILEHEADER and an info header of 12, 40, 52, 56, 64, 108 or 124 bytes. */
        BMP("bmp"),
        /** {@code GIF87a} / {@code GIF89a}; the logical screen, then the first image descriptor. */
        GIF("gif");

        final String imageIoName;

        Format(String imageIoName) {
            this.imageIoName = imageIoName;
        }
    }

    /** The format of {@code b} by magic bytes, or null. */
    static Format sniff(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return Format.PNG;
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) return Format.JPEG;
        if (startsWith(b, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(b, 0, 'G', 'I', 'F', '8', '9', 'a')) return Format.GIF;
        if (startsWith(b, 0, 'B', 'M') && b.length >= 18) {
            long dib = u32le(b, 14);
            if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) return Format.BMP;
        }
        return null;
    }

    /** A short description of what {@code b} looks like instead, for the "not an image" message. */
    static String describeOther(byte[] b) {
        if (b.length == 0) return "the file is empty";
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) return "WebP is not supported (PNG, JPEG, BMP, GIF are)";
        if (startsWith(b, 0, 'I', 'I', '*', 0) || startsWith(b, 0, 'M', 'M', 0, '*')) return "TIFF is not supported (PNG, JPEG, BMP, GIF are)";
        int i = 0;
        while (i < b.length && i < 64 && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t' || (b[i] & 0xff) == 0xEF || (b[i] & 0xff) == 0xBB || (b[i] & 0xff) == 0xBF)) i++;
        if (i < b.length && b[i] == '<') return "not an image (it looks like HTML or XML)";
        StringBuilder hex = new StringBuilder();
        for (int k = 0; k < Math.min(8, b.length); k++) hex.append(String.format("%02x", b[k] & 0xff));
        return "not an image: unrecognised format (starts with " + hex + "; PNG, JPEG, BMP, GIF are read)";
    }

    /** Format and declared size of {@code b}; one-line errors name {@code source}. */
    static ImageHeader parse(byte[] b, Object source) {
        Format f = sniff(b);
        if (f == null) throw SynesthesiaException.inFile(source, describeOther(b));
        try {
            return switch (f) {
                case PNG -> png(b, source);
                case JPEG -> jpeg(b, source);
                case BMP -> bmp(b, source);
                case GIF -> gif(b, source);
            };
        } catch (ArrayIndexOutOfBoundsException e) {
            throw SynesthesiaException.inFile(source, "truncated " + f + " (the header ends early)");
        }
    }

    /** Refuses images larger than {@code maxSide} on a side or {@code maxPixels} in all. */
    void checkLimits(Object source, int maxSide, long maxPixels) {
        long w = Math.max(width, (long) frameLeft + frameWidth), h = Math.max(height, (long) frameTop + frameHeight);
        if (w > maxSide || h > maxSide || w * h > maxPixels)
            throw SynesthesiaException.inFile(source, String.format(
                    "%s declares %dx%d pixels; refusing before decoding (limits: %d per side, %,d pixels, PIL's default MAX_IMAGE_PIXELS): a decompression bomb?",
                    format, w, h, maxSide, maxPixels));
    }

    private static ImageHeader png(byte[] b, Object source) {
        if (b.length < 33 || !startsWith(b, 12, 'I', 'H', 'D', 'R'))
            throw SynesthesiaException.inFile(source, b.length < 33 ? "truncated PNG (the header ends early)" : "PNG without an IHDR chunk first");
        long w = u32be(b, 16), h = u32be(b, 20);
        return sized(Format.PNG, w, h, source);
    }

    private static ImageHeader jpeg(byte[] b, Object source) {
        int p = 2;
        while (true) {
            if (p + 4 > b.length) throw SynesthesiaException.inFile(source, "truncated JPEG (no frame header before the end)");
            if ((b[p] & 0xff) != 0xFF) throw SynesthesiaException.inFile(source, "corrupt JPEG (expected a marker at byte " + p + ")");
            int m = b[p + 1] & 0xff;
            if (m == 0xFF) { p++; continue; } // fill byte
            if (m == 0x01 || m >= 0xD0 && m <= 0xD8) { p += 2; continue; }
            if (m == 0xD9 || m == 0xDA) throw SynesthesiaException.inFile(source, "corrupt JPEG (no frame header before the scan)");
            int len = u16be(b, p + 2);
            if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                int h = u16be(b, p + 5), w = u16be(b, p + 7);
                if (h == 0) throw SynesthesiaException.inFile(source, "JPEG with its height in a DNL marker is not supported");
                return sized(Format.JPEG, w, h, source);
            }
            if (len < 2) throw SynesthesiaException.inFile(source, "corrupt JPEG (segment length " + len + " at byte " + p + ")");
            p += 2 + len;
        }
    }

    private static ImageHeader bmp(byte[] b, Object source) {
        long dib = u32le(b, 14);
        long w, h;
        if (dib == 12) {
            w = u16le(b, 18);
            h = u16le(b, 20);
        } else {
            w = (int) u32le(b, 18);
            h = Math.abs((long) (int) u32le(b, 22)); // negative: top-down rows
        }
        return sized(Format.BMP, w, h, source);
    }

    private static ImageHeader gif(byte[] b, Object source) {
        int sw = u16le(b, 6), sh = u16le(b, 8), flags = b[10] & 0xff;
        int p = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        while (true) {
            if (p >= b.length) throw SynesthesiaException.inFile(source, "truncated GIF (no image before the end)");
            int t = b[p] & 0xff;
            if (t == 0x21) { // extension: label, then data sub-blocks
                p = skipSubBlocks(b, p + 2, source);
            } else if (t == 0x2C) {
                int left = u16le(b, p + 1), top = u16le(b, p + 3), fw = u16le(b, p + 5), fh = u16le(b, p + 7);
                if (sw == 0 || sh == 0 || fw == 0 || fh == 0) throw SynesthesiaException.inFile(source, "GIF with a zero size");
                return new ImageHeader(Format.GIF, sw, sh, left, top, fw, fh);
            } else if (t == 0x3B) {
                throw SynesthesiaException.inFile(source, "GIF without an image");
            } else {
                throw SynesthesiaException.inFile(source, "corrupt GIF (unknown block 0x" + Integer.toHexString(t) + " at byte " + p + ")");
            }
        }
    }

    private static ImageHeader sized(Format f, long w, long h, Object source) {
        if (w <= 0 || h <= 0) throw SynesthesiaException.inFile(source, f + " declares a size of " + w + "x" + h);
        if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE)
            throw SynesthesiaException.inFile(source, f + " declares " + w + "x" + h + " pixels; refusing before decoding (a decompression bomb?)");
        return new ImageHeader(f, (int) w, (int) h, 0, 0, (int) w, (int) h);
    }

    /**
     * Refuses a file whose structure ends before its image data does: PNG chunks up to IEND; JPEG segments and scans
     * up to the EOI marker; GIF's first image's data sub-blocks up to their terminator; an uncompressed BMP's rows.
     */
    void checkComplete(byte[] b, Object source) {
        String missing = switch (format) {
            case PNG -> pngComplete(b);
            case JPEG -> jpegComplete(b);
            case GIF -> gifComplete(b, source);
            case BMP -> bmpComplete(b);
        };
        if (missing != null) throw SynesthesiaException.inFile(source, "truncated " + format + " (" + missing + ")");
    }

    private static String pngComplete(byte[] b) {
        int p = 8;
        while (p + 8 <= b.length) {
            long len = u32be(b, p);
            String type = new String(b, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (p + 12 + len > b.length) return "chunk " + type + " at byte " + p + " needs " + (12 + len) + " bytes, the file ends after " + (b.length - p);
            if (type.equals("IEND")) return null;
            p += (int) (12 + len);
        }
        return "no IEND chunk";
    }

    private static String jpegComplete(byte[] b) {
        int p = 2;
        while (p + 2 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) return "expected a marker at byte " + p;
            int m = b[p + 1] & 0xff;
            if (m == 0xFF) { p++; continue; }
            if (m == 0xD9) return null;
            if (m == 0x01 || m >= 0xD0 && m <= 0xD8) { p += 2; continue; }
            if (p + 4 > b.length) break;
            p += 2 + u16be(b, p + 2);
            if (m == 0xDA) { // entropy-coded data: up to the next marker that is not a stuffed 0x00 or a restart
                while (p + 1 < b.length) {
                    if ((b[p] & 0xff) == 0xFF) {
                        int n = b[p + 1] & 0xff;
                        if (n != 0x00 && !(n >= 0xD0 && n <= 0xD7) && n != 0xFF) break;
                        if (n == 0xFF) { p++; continue; }
                        p += 2;
                    } else p++;
                }
                if (p + 1 >= b.length) break;
            }
        }
        return "no end-of-image marker";
    }

    private String gifComplete(byte[] b, Object source) {
        int flags = b[10] & 0xff;
        int p = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        try {
            while ((b[p] & 0xff) == 0x21) p = skipSubBlocks(b, p + 2, source);
            int lflags = b[p + 9] & 0xff;
            p += 10 + ((lflags & 0x80) != 0 ? 3 << ((lflags & 7) + 1) : 0);
            p += 1; // LZW minimum code size
            skipSubBlocks(b, p, source);
            return null;
        } catch (ArrayIndexOutOfBoundsException | SynesthesiaException e) {
            return "the first image's data ends early";
        }
    }

    private String bmpComplete(byte[] b) {
        if (b.length < 34) return "the header ends early";
        long offset = u32le(b, 10), dib = u32le(b, 14);
        int bpp = dib == 12 ? u16le(b, 24) : u16le(b, 28);
        long compression = dib == 12 ? 0 : u32le(b, 30);
        if (compression != 0 && compression != 3 && compression != 6) return null; // RLE: the decoder checks
        long stride = ((long) width * bpp + 31) / 32 * 4;
        long need = offset + stride * height;
        return need > b.length ? "pixel rows need " + need + " bytes, the file has " + b.length : null;
    }

    /** Index after a chain of GIF data sub-blocks starting at {@code p} (each: size byte, data; 0 ends). */
    private static int skipSubBlocks(byte[] b, int p, Object source) {
        while (true) {
            if (p >= b.length) throw SynesthesiaException.inFile(source, "truncated GIF (a data block ends early)");
            int n = b[p] & 0xff;
            p += 1 + n;
            if (n == 0) return p;
        }
    }

    private static boolean startsWith(byte[] b, int at, int... magic) {
        if (b.length < at + magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((b[at + i] & 0xff) != magic[i]) return false;
        return true;
    }

    private static long u32be(byte[] b, int p) {
        return (b[p] & 0xffL) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    private static int u16be(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static long u32le(byte[] b, int p) {
        return (b[p + 3] & 0xffL) << 24 | (b[p + 2] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | (b[p] & 0xff);
    }

    private static int u16le(byte[] b, int p) {
        return (b[p + 1] & 0xff) << 8 | (b[p] & 0xff);
    }
}
