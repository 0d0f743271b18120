package org.synesthesia.audio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.synesthesia.io.MappedFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * FLAC decoder (RFC 9639), pure Java.
 *
 * <p>Stream: {@code "fLaC"} (optionally after an ID3v2 tag), metadata blocks {@code [last:1 type:7 length:24]}
 * of which the first must be STREAMINFO, then frames. A frame is a header (sync {@code 0x3FFE}, blocking
 * strategy, block size, sample rate, channel assignment, sample size, UTF-8-style coded frame/sample number,
 * CRC-8), one subframe per channel, zero padding to a byte, CRC-16. Subframes: CONSTANT, VERBATIM, FIXED
 * (orders 0-4) and LPC (orders 1-32), each with optional wasted bits; residuals are Rice-coded in 2^order
 * partitions with 4-bit or 5-bit parameters and escape codes (raw n-bit samples). Stereo decorrelation:
 * independent, left/side, side/right, mid/side. Any bit depth 4-32 is decoded exactly (64-bit arithmetic).
 *
 * <p>Checks (both on by default): frame header CRC-8 and frame CRC-16; and the STREAMINFO MD5 of the decoded
 * samples (signed, little-endian, interleaved, (bits+7)/8 bytes each), skipped when the encoder stored zeros.
 * Output: the channels averaged to mono, divided by 2^(bits-1).
 *
 * <p>STREAMINFO is checked before decoding: the rate against {@link AudioLimits}, and the claimed sample count
 * against what the file's bytes can hold at most (65536 samples per 8-byte frame).
 */
final class FlacDecoder {
    /** The STREAMINFO block. {@code totalSamples} (per channel) is 0 when the encoder did not know it. */
    record StreamInfo(int minBlockSize, int maxBlockSize, int minFrameSize, int maxFrameSize, int sampleRate,
                             int channels, int bitsPerSample, long totalSamples, byte[] md5) {
        boolean hasMd5() {
            for (byte b : md5) if (b != 0) return true;
            return false;
        }
    }

    /** Which integrity checks to run. */
    record Options(boolean checkCrc, boolean checkMd5) {
        static final Options DEFAULT = new Options(true, true);
        static final Options NO_CHECKS = new Options(false, false);
    }

    /** Receives each decoded frame: {@code channels[c][0..blockSize)} as signed integers of {@code bits} bits. */
    interface FrameSink {
        void frame(long[][] channels, int blockSize);
    }

    /** Coding features met while decoding, counted (tests check that real files exercise them). */
    enum Feature { CONSTANT, VERBATIM, FIXED, LPC, RICE4, RICE5, ESCAPE, WASTED_BITS, INDEPENDENT, LEFT_SIDE, SIDE_RIGHT, MID_SIDE, VARIABLE_BLOCKING }

    private static final int[] CRC8 = new int[256], CRC16 = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c & 0x80) != 0 ? (c << 1 ^ 0x07) & 0xFF : c << 1 & 0xFF;
            CRC8[i] = c;
            int d = i << 8;
            for (int k = 0; k < 8; k++) d = (d & 0x8000) != 0 ? (d << 1 ^ 0x8005) & 0xFFFF : d << 1 & 0xFFFF;
            CRC16[i] = d;
        }
    }

    private final MemorySegment data;
    private final Object name;
    private final Options options;
    private final BitReader in;
    private final StreamInfo info;
    final long[] featureCounts = new long[Feature.values().length];
    private long[][] channels = new long[0][];

    private FlacDecoder(MemorySegment data, Object name, Options options) {
        this.data = data;
        this.name = name;
        this.options = options;
        long start = skipId3(data);
        if (start > data.byteSize()) throw SynesthesiaException.inFile(name, "truncated: its ID3 tag runs past the end of the file");
        if (!magic(data, start))
            throw SynesthesiaException.inFile(name, "not a FLAC file (no fLaC marker)");
        this.in = new BitReader(data, start + 4, data.byteSize(), name);
        this.info = readMetadata();
    }

    /** Reads {@code path} as mono audio, with CRC and MD5 checks. */
    static Audio read(Path path) {
        try (MappedFile f = MappedFile.open(path)) {
            return read(f.segment(), path, Options.DEFAULT);
        }
    }

    /** Decodes a whole FLAC stream held in {@code file}; {@code name} is used in error messages. */
    static Audio read(MemorySegment file, Object name, Options options) {
        FlacDecoder d = new FlacDecoder(file, name, options);
        StreamInfo si = d.info;
        MonoMixer mix = new MonoMixer(si, name, file.byteSize());
        d.decode(mix);
        return new Audio(mix.result(), si.sampleRate());
    }

    /** Decoder over {@code file} with its STREAMINFO read; {@link #decode} then runs the frames. */
    static FlacDecoder open(MemorySegment file, Object name, Options options) {
        return new FlacDecoder(file, name, options);
    }

    StreamInfo streamInfo() {
        return info;
    }

    static boolean magic(MemorySegment f, long p) {
        return f.byteSize() >= p + 4 && f.get(ValueLayout.JAVA_BYTE, p) == 'f' && f.get(ValueLayout.JAVA_BYTE, p + 1) == 'L'
                && f.get(ValueLayout.JAVA_BYTE, p + 2) == 'a' && f.get(ValueLayout.JAVA_BYTE, p + 3) == 'C';
    }

    /**
     * Offset after a leading ID3v2 tag ({@code "ID3"}, version, flags, 28-bit syncsafe size, optional footer), or 0
     * without one; may lie past the end of a truncated file.
     */
    static long skipId3(MemorySegment f) {
        if (f.byteSize() < 10 || f.get(ValueLayout.JAVA_BYTE, 0) != 'I' || f.get(ValueLayout.JAVA_BYTE, 1) != 'D' || f.get(ValueLayout.JAVA_BYTE, 2) != '3') return 0;
        long size = 0;
        for (int i = 6; i < 10; i++) size = size << 7 | (f.get(ValueLayout.JAVA_BYTE, i) & 0x7F);
        boolean footer = (f.get(ValueLayout.JAVA_BYTE, 5) & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    private StreamInfo readMetadata() {
        StreamInfo si = null;
        boolean last = false;
        while (!last) {
            long blockStart = in.bytePosition();
            if (blockStart + 4 > data.byteSize()) throw SynesthesiaException.inFile(name, "truncated: the file ends inside its metadata");
            last = in.bit();
            int type = in.uint(7);
            int len = in.uint(24);
            long body = blockStart + 4;
            if (body + len > data.byteSize()) throw SynesthesiaException.inFile(name, "truncated: metadata block of type " + type + " (" + len + " bytes) runs past the end of the file");
            if (si == null && type != 0) throw SynesthesiaException.inFile(name, "corrupt: the first metadata block is type " + type + ", not STREAMINFO");
            if (type == 0) {
                if (si != null) throw SynesthesiaException.inFile(name, "corrupt: a second STREAMINFO block");
                if (len < 34) throw SynesthesiaException.inFile(name, "corrupt: STREAMINFO of " + len + " bytes (34 needed)");
                si = readStreamInfo();
            } else if (type == 127) {
                throw SynesthesiaException.inFile(name, "corrupt: metadata block type 127 (forbidden)");
            }
            in.seek(body + len);
        }
        return si;
    }

    private StreamInfo readStreamInfo() {
        int minBlock = in.uint(16), maxBlock = in.uint(16), minFrame = in.uint(24), maxFrame = in.uint(24);
        int rate = in.uint(20), ch = in.uint(3) + 1, bps = in.uint(5) + 1;
        long total = in.bits(4) << 32 | in.bits(32);
        byte[] md5 = new byte[16];
        for (int i = 0; i < 16; i++) md5[i] = (byte) in.uint(8);
        if (rate == 0) throw SynesthesiaException.inFile(name, "corrupt: STREAMINFO sample rate 0");
        AudioLimits.checkRate(name, "STREAMINFO", rate);
        if (bps < 4) throw SynesthesiaException.inFile(name, "corrupt: STREAMINFO says " + bps + " bits per sample (4-32 allowed)");
        // the densest frame (header, CRC-8 and CRC-16, one constant subframe) takes 8 bytes for 65536 samples
        long most = data.byteSize() * (65536 / 8);
        if (total > most)
            throw SynesthesiaException.inFile(name, "corrupt: STREAMINFO claims " + total + " samples but " + data.byteSize() + " bytes of FLAC hold at most " + most);
        return new StreamInfo(minBlock, maxBlock, minFrame, maxFrame, rate, ch, bps, total, md5);
    }

    /** Decodes every frame into {@code sink}, checking CRCs and the MD5 as the options say. */
    void decode(FrameSink sink) {
        MessageDigest md5 = options.checkMd5() && info.hasMd5() ? md5() : null;
        byte[] md5Buf = md5 == null ? null : new byte[65536 * info.channels() * ((info.bitsPerSample() + 7) / 8)];
        long total = info.totalSamples(), done = 0;
        int frameIndex = 0;
        while (total == 0 ? !in.atEnd() && !id3v1Follows() : done < total) {
            if (in.atEnd())
                throw SynesthesiaException.inFile(name, "truncated: " + done + " of " + total + " samples per channel decoded when the file ends");
            int n = frame(frameIndex);
            if (total != 0 && done + n > total) n = (int) (total - done);
            sink.frame(channels, n);
            if (md5 != null) hash(md5, md5Buf, n);
            done += n;
            frameIndex++;
        }
        if (md5 != null) {
            byte[] got = md5.digest();
            if (!Arrays.equals(got, info.md5()))
                throw SynesthesiaException.inFile(name, "corrupt: decoded audio MD5 " + HexFormat.of().formatHex(got) + " differs from STREAMINFO's " + HexFormat.of().formatHex(info.md5()));
        }
    }

    /** With an unknown length, a trailing ID3v1 tag ({@code "TAG"} + 125 bytes) ends the stream. */
    private boolean id3v1Follows() {
        long p = in.bytePosition();
        return data.byteSize() - p == 128 && in.byteAt(p) == 'T' && in.byteAt(p + 1) == 'A' && in.byteAt(p + 2) == 'G';
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void hash(MessageDigest md5, byte[] buf, int n) {
        int bytes = (info.bitsPerSample() + 7) / 8, ch = info.channels(), p = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < ch; c++) {
                long v = channels[c][i];
                for (int b = 0; b < bytes; b++) buf[p++] = (byte) (v >> 8 * b);
            }
        md5.update(buf, 0, p);
    }

    private SynesthesiaException corrupt(int frame, long at, String what) {
        return SynesthesiaException.inFile(name, "corrupt: frame " + frame + " (byte " + at + "): " + what);
    }

    /** Decodes one frame into {@link #channels}; returns its block size. */
    private int frame(int index) {
        long start = in.bytePosition();
        int sync = in.uint(15);
        if (sync != 0x7FFC) throw corrupt(index, start, "no frame sync code");
        boolean variable = in.bit();
        int bsCode = in.uint(4), rateCode = in.uint(4), chCode = in.uint(4), sizeCode = in.uint(3);
        if (in.bit()) throw corrupt(index, start, "reserved header bit set");
        readCodedNumber(index, start);
        int blockSize = switch (bsCode) {
            case 0 -> throw corrupt(index, start, "reserved block size code 0");
            case 1 -> 192;
            case 2, 3, 4, 5 -> 576 << (bsCode - 2);
            case 6 -> in.uint(8) + 1;
            case 7 -> in.uint(16) + 1;
            default -> 256 << (bsCode - 8);
        };
        int rate = switch (rateCode) {
            case 0 -> info.sampleRate();
            case 1 -> 88200; case 2 -> 176400; case 3 -> 192000; case 4 -> 8000; case 5 -> 16000; case 6 -> 22050;
            case 7 -> 24000; case 8 -> 32000; case 9 -> 44100; case 10 -> 48000; case 11 -> 96000;
            case 12 -> in.uint(8) * 1000;
            case 13 -> in.uint(16);
            case 14 -> in.uint(16) * 10;
            default -> throw corrupt(index, start, "invalid sample rate code 15");
        };
        int bps = switch (sizeCode) {
            case 0 -> info.bitsPerSample();
            case 1 -> 8; case 2 -> 12; case 4 -> 16; case 5 -> 20; case 6 -> 24; case 7 -> 32;
            default -> throw corrupt(index, start, "reserved sample size code 3");
        };
        int headerEnd = Math.toIntExact(in.bytePosition() - start);
        int crc8 = in.uint(8);
        if (options.checkCrc() && crc8(start, start + headerEnd) != crc8) throw corrupt(index, start, "header CRC-8 mismatch");
        int nch = chCode < 8 ? chCode + 1 : 2;
        if (chCode > 10) throw corrupt(index, start, "reserved channel assignment " + chCode);
        if (nch != info.channels()) throw corrupt(index, start, nch + " channels but STREAMINFO says " + info.channels());
        if (rate != info.sampleRate()) throw corrupt(index, start, "sample rate " + rate + " but STREAMINFO says " + info.sampleRate() + " (changing rates are not supported)");
        if (bps != info.bitsPerSample()) throw corrupt(index, start, bps + " bits per sample but STREAMINFO says " + info.bitsPerSample());
        if (variable) count(Feature.VARIABLE_BLOCKING);
        count(chCode < 8 ? Feature.INDEPENDENT : chCode == 8 ? Feature.LEFT_SIDE : chCode == 9 ? Feature.SIDE_RIGHT : Feature.MID_SIDE);

        if (channels.length != nch || channels[0].length < blockSize) {
            channels = new long[nch][Math.max(blockSize, Math.max(info.maxBlockSize(), 16))];
        }
        for (int c = 0; c < nch; c++) {
            // the side channel carries one extra bit
            boolean side = (chCode == 8 || chCode == 10) && c == 1 || chCode == 9 && c == 0;
            subframe(channels[c], blockSize, bps + (side ? 1 : 0), index, start);
        }
        decorrelate(chCode, blockSize);
        in.align();
        long crcAt = in.bytePosition();
        int crc16 = in.uint(16);
        if (options.checkCrc() && crc16(start, crcAt) != crc16) throw corrupt(index, start, "frame CRC-16 mismatch");
        return blockSize;
    }

    /** The UTF-8-like frame or sample number (1 to 7 bytes); its value is not needed for sequential decoding. */
    private void readCodedNumber(int index, long start) {
        int first = in.uint(8);
        int extra;
        if ((first & 0x80) == 0) extra = 0;
        else if ((first & 0xE0) == 0xC0) extra = 1;
        else if ((first & 0xF0) == 0xE0) extra = 2;
        else if ((first & 0xF8) == 0xF0) extra = 3;
        else if ((first & 0xFC) == 0xF8) extra = 4;
        else if ((first & 0xFE) == 0xFC) extra = 5;
        else if (first == 0xFE) extra = 6;
        else throw corrupt(index, start, "invalid coded frame number");
        for (int i = 0; i < extra; i++)
            if ((in.uint(8) & 0xC0) != 0x80) throw corrupt(index, start, "invalid coded frame number");
    }

    private void subframe(long[] out, int n, int bps, int index, long start) {
        if (in.bit()) throw corrupt(index, start, "subframe padding bit set");
        int type = in.uint(6);
        int wasted = 0;
        if (in.bit()) {
            wasted = in.unary() + 1;
            if (wasted >= bps) throw corrupt(index, start, wasted + " wasted bits in a " + bps + "-bit subframe");
            count(Feature.WASTED_BITS);
        }
        bps -= wasted;
        if (type == 0) {
            count(Feature.CONSTANT);
            Arrays.fill(out, 0, n, in.signed(bps));
        } else if (type == 1) {
            count(Feature.VERBATIM);
            for (int i = 0; i < n; i++) out[i] = in.signed(bps);
        } else if (type >= 8 && type <= 12) {
            count(Feature.FIXED);
            int order = type - 8;
            if (order > n) throw corrupt(index, start, "fixed predictor order " + order + " exceeds block size " + n);
            for (int i = 0; i < order; i++) out[i] = in.signed(bps);
            residual(out, n, order, index, start);
            fixed(out, n, order);
        } else if (type >= 32) {
            count(Feature.LPC);
            int order = type - 31;
            if (order > n) throw corrupt(index, start, "LPC order " + order + " exceeds block size " + n);
            for (int i = 0; i < order; i++) out[i] = in.signed(bps);
            int precision = in.uint(4) + 1;
            if (precision == 16) throw corrupt(index, start, "invalid LPC coefficient precision");
            int shift = (int) in.signed(5);
            if (shift < 0) throw corrupt(index, start, "negative LPC shift " + shift);
            long[] coef = new long[order];
            for (int i = 0; i < order; i++) coef[i] = in.signed(precision);
            residual(out, n, order, index, start);
            lpc(out, n, coef, shift);
        } else {
            throw corrupt(index, start, "reserved subframe type " + type);
        }
        if (wasted > 0) for (int i = 0; i < n; i++) out[i] <<= wasted;
    }

    /** Reads the Rice-coded residual into {@code out[order..n)}. */
    private void residual(long[] out, int n, int order, int index, long start) {
        int method = in.uint(2);
        if (method > 1) throw corrupt(index, start, "reserved residual coding method " + method);
        count(method == 0 ? Feature.RICE4 : Feature.RICE5);
        int paramBits = method == 0 ? 4 : 5, escape = (1 << paramBits) - 1;
        int partOrder = in.uint(4);
        int per = n >> partOrder;
        if ((per << partOrder) != n || per < order) throw corrupt(index, start, "partition order " + partOrder + " does not fit block size " + n + " and predictor order " + order);
        int i = order;
        for (int p = 0; p < 1 << partOrder; p++) {
            int end = (p + 1) * per;
            int k = in.uint(paramBits);
            if (k == escape) {
                count(Feature.ESCAPE);
                int raw = in.uint(5);
                for (; i < end; i++) out[i] = in.signed(raw);
            } else {
                for (; i < end; i++) {
                    long v = (long) in.unary() << k | in.bits(k);
                    out[i] = v >>> 1 ^ -(v & 1);
                }
            }
        }
    }

    /** FIXED prediction: s[i] = e[i] + sum of the order-th difference polynomial over s[i-1..i-order]. */
    static void fixed(long[] s, int n, int order) {
        switch (order) {
            case 0 -> { }
            case 1 -> { for (int i = 1; i < n; i++) s[i] += s[i - 1]; }
            case 2 -> { for (int i = 2; i < n; i++) s[i] += 2 * s[i - 1] - s[i - 2]; }
            case 3 -> { for (int i = 3; i < n; i++) s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3]; }
            case 4 -> { for (int i = 4; i < n; i++) s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4]; }
            default -> throw new IllegalArgumentException("order " + order);
        }
    }

    /** LPC prediction: s[i] = e[i] + (sum_j coef[j] * s[i-1-j]) >> shift. */
    static void lpc(long[] s, int n, long[] coef, int shift) {
        int order = coef.length;
        for (int i = order; i < n; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) sum += coef[j] * s[i - 1 - j];
            s[i] += sum >> shift;
        }
    }

    private void decorrelate(int chCode, int n) {
        long[] a = channels.length > 1 ? channels[0] : null, b = channels.length > 1 ? channels[1] : null;
        switch (chCode) {
            case 8 -> { for (int i = 0; i < n; i++) b[i] = a[i] - b[i]; }          // left, side -> right = left - side
            case 9 -> { for (int i = 0; i < n; i++) a[i] += b[i]; }                // side, right -> left = side + right
            case 10 -> {                                                           // mid, side
                for (int i = 0; i < n; i++) {
                    long side = b[i], mid = a[i] << 1 | side & 1;
                    a[i] = mid + side >> 1;
                    b[i] = mid - side >> 1;
                }
            }
            default -> { }
        }
    }

    private void count(Feature f) {
        featureCounts[f.ordinal()]++;
    }

    private int crc8(long from, long to) {
        int c = 0;
        for (long p = from; p < to; p++) c = CRC8[c ^ in.byteAt(p)];
        return c;
    }

    private int crc16(long from, long to) {
        int c = 0;
        for (long p = from; p < to; p++) c = (c << 8 & 0xFFFF) ^ CRC16[c >> 8 ^ in.byteAt(p)];
        return c;
    }

    /** Averages the channels of each frame into one float track scaled by 2^-(bits-1). */
    private static final class MonoMixer implements FrameSink {
        private final double scale;
        private float[] out;
        private int n;

        private final Object name;

        /**
         * STREAMINFO's total is a claim: the first buffer holds min(total, 2 * fileBytes + 65536, 2^24) samples (2 per
         * file byte covers 16-bit audio compressed up to 4:1), and {@link #frame} grows it as decoded samples arrive.
         */
        MonoMixer(StreamInfo si, Object name, long fileBytes) {
            this.name = name;
            scale = 1.0 / (si.channels() * Math.scalb(1.0, si.bitsPerSample() - 1));
            long total = si.totalSamples();
            if (total > Integer.MAX_VALUE - 8) throw SynesthesiaException.inFile(name, "audio too long: " + total + " samples");
            out = new float[(int) Math.max(0, Math.min(Math.min(total, 2 * fileBytes + 65536), INITIAL))];
        }

        private static final int INITIAL = 1 << 24;

        @Override
        public void frame(long[][] ch, int blockSize) {
            if (n + blockSize > out.length) {
                if ((long) n + blockSize > Integer.MAX_VALUE - 8) throw SynesthesiaException.inFile(name, "audio too long: over " + n + " samples");
                out = Arrays.copyOf(out, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) n + blockSize, 2L * out.length)));
            }
            for (int i = 0; i < blockSize; i++) {
                long sum = 0;
                for (long[] c : ch) sum += c[i];
                out[n + i] = (float) (sum * scale);
            }
            n += blockSize;
        }

        float[] result() {
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
    }
}
