package org.synesthesia.whisper;

import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Whisper's repetition check (openai {@code utils.compression_ratio}): {@code len(utf8) / len(zlib.compress(utf8))}
 * with zlib's default level 6 and the zlib wrapper (2-byte header, Adler-32 trailer). A decoded window whose ratio
 * exceeds {@code compression_ratio_threshold} (2.4) is treated as looping and decoded again at a higher temperature.
 */
final class CompressionRatio {
    private CompressionRatio() {}

    /** UTF-8 length of {@code text} over its zlib-compressed length; 0 for the empty text (8 compressed bytes). */
    public static double of(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return (double) bytes.length / compressedLength(bytes);
    }

    /** Length of {@code zlib.compress(bytes)} (level 6, zlib wrapper). */
    static int compressedLength(byte[] bytes) {
        Deflater d = new Deflater(6, false);
        try {
            d.setInput(bytes);
            d.finish();
            byte[] buf = new byte[Math.max(64, bytes.length / 2 + 64)];
            int total = 0;
            while (!d.finished()) total += d.deflate(buf);
            return total;
        } finally {
            d.end();
        }
    }
}
