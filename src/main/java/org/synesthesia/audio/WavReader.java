package org.synesthesia.audio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.synesthesia.io.MappedFile;
import org.synesthesia.tensor.Finite;
import org.synesthesia.util.SynesthesiaException;

/**
 * RIFF/WAVE reader: {@code "RIFF" u32 size "WAVE"} then chunks {@code id(4) u32-LE size data [pad byte if size is
 * odd]}. Needs a {@code fmt } chunk before {@code data}; every other chunk (LIST, fact, cue, ...) is skipped.
 *
 * <p>Encodings: PCM (format 1) 8-bit unsigned, 16/24/32-bit signed; IEEE float (format 3) 32/64-bit;
 * WAVE_FORMAT_EXTENSIBLE (0xFFFE) with the PCM or IEEE-float sub-format GUID (valid bits below the container
 * size are fine: samples are left-justified). Channels are averaged to mono. Integer samples are divided by
 * 2^(bits-1) (int16 / 32768, whisper's convention), 8-bit as (u8 - 128) / 128; float samples are kept as stored.
 * A data size of 0xFFFFFFFF (streamed WAVs) means "to the end of the file"; a trailing partial frame is dropped.
 *
 * <p>Checked before decoding (one line naming the file): the rate and channel count against {@link AudioLimits},
 * the block align against channels x bytes, valid bits against the container size, every chunk size against the
 * bytes left in the file. Float samples that are NaN or infinite (or 64-bit values beyond float range) are refused
 * with the first one's index and time.
 */
final class WavReader {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int FORMAT_PCM = 1, FORMAT_FLOAT = 3, FORMAT_EXTENSIBLE = 0xFFFE;
    /** The 14 bytes every KSDATAFORMAT_SUBTYPE GUID shares after its leading 16-bit format tag. */
    private static final byte[] GUID_TAIL = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    /** What the {@code fmt } chunk says. {@code format} is PCM or FLOAT (an extensible header resolved to one of them). */
    record Format(int format, int channels, int sampleRate, int blockAlign, int bitsPerSample) {
        int bytesPerSample() { return bitsPerSample / 8; }
    }

    private WavReader() {}

    /** Reads {@code path} as mono audio; any problem is one line naming the file. */
    static Audio read(Path path) {
        try (MappedFile f = MappedFile.open(path)) {
            return read(f.segment(), path);
        }
    }

    /** Decodes a whole WAV file held in {@code file}; {@code name} is used in error messages. */
    static Audio read(MemorySegment file, Object name) {
        long size = file.byteSize();
        if (size < 12 || !tag(file, 0, "RIFF") || !tag(file, 8, "WAVE")) {
            if (size >= 4 && (tag(file, 0, "RF64") || tag(file, 0, "RIFX")))
                throw SynesthesiaException.inFile(name, "unsupported WAV variant " + ascii(file, 0) + " (only little-endian RIFF/WAVE)");
            throw SynesthesiaException.inFile(name, "not a WAV file (no RIFF/WAVE header)");
        }
        Format fmt = null;
        long pos = 12;
        while (true) {
            if (pos + 8 > size) {
                if (fmt == null) throw SynesthesiaException.inFile(name, "truncated: no fmt chunk before the end of the file");
                throw SynesthesiaException.inFile(name, "truncated: no data chunk before the end of the file");
            }
            String id = ascii(file, pos);
            long len = Integer.toUnsignedLong(file.get(I32, pos + 4));
            long body = pos + 8;
            if (id.equals("data")) {
                if (fmt == null) throw SynesthesiaException.inFile(name, "corrupt: data chunk before the fmt chunk");
                long avail = size - body;
                if (len == 0xFFFFFFFFL) len = avail;
                else if (len > avail)
                    throw SynesthesiaException.inFile(name, "truncated: data chunk of " + len + " bytes but only " + avail + " remain in the file");
                return decode(file, body, len / fmt.blockAlign(), fmt, name);
            }
            if (len > size - body) throw SynesthesiaException.inFile(name, "truncated: chunk '" + printable(id) + "' of " + len + " bytes runs past the end of the file");
            if (id.equals("fmt ")) fmt = parseFormat(file, body, len, name);
            pos = body + len + (len & 1);
        }
    }

    private static Format parseFormat(MemorySegment f, long p, long len, Object name) {
        if (len < 16) throw SynesthesiaException.inFile(name, "corrupt: fmt chunk of " + len + " bytes (at least 16 needed)");
        int tag = Short.toUnsignedInt(f.get(I16, p));
        int channels = Short.toUnsignedInt(f.get(I16, p + 2));
        long rate = Integer.toUnsignedLong(f.get(I32, p + 4));
        int blockAlign = Short.toUnsignedInt(f.get(I16, p + 12));
        int bits = Short.toUnsignedInt(f.get(I16, p + 14));
        int format = tag;
        if (tag == FORMAT_EXTENSIBLE) {
            if (len < 40) throw SynesthesiaException.inFile(name, "corrupt: WAVE_FORMAT_EXTENSIBLE fmt chunk of " + len + " bytes (40 needed)");
            int valid = Short.toUnsignedInt(f.get(I16, p + 18));
            if (valid > bits) throw SynesthesiaException.inFile(name, "corrupt: fmt chunk says " + valid + " valid bits in " + bits + "-bit samples");
            format = Short.toUnsignedInt(f.get(I16, p + 24));
            for (int i = 0; i < GUID_TAIL.length; i++)
                if (f.get(ValueLayout.JAVA_BYTE, p + 26 + i) != GUID_TAIL[i])
                    throw SynesthesiaException.inFile(name, "unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID");
        }
        if (channels == 0) throw SynesthesiaException.inFile(name, "corrupt: fmt chunk says 0 channels");
        AudioLimits.checkChannels(name, "fmt chunk", channels);
        AudioLimits.checkRate(name, "fmt chunk", rate);
        String enc = switch (format) {
            case FORMAT_PCM -> bits == 8 || bits == 16 || bits == 24 || bits == 32 ? null : bits + "-bit integer PCM";
            case FORMAT_FLOAT -> bits == 32 || bits == 64 ? null : bits + "-bit float";
            default -> "format tag " + formatName(format);
        };
        if (enc != null) throw SynesthesiaException.inFile(name, "unsupported WAV encoding: " + enc + " (supported: 8/16/24/32-bit PCM, 32/64-bit float)");
        if (blockAlign != channels * (bits / 8))
            throw SynesthesiaException.inFile(name, "corrupt: block align " + blockAlign + " for " + channels + " channels of " + bits + " bits");
        return new Format(format, channels, (int) rate, blockAlign, bits);
    }

    private static String formatName(int tag) {
        return switch (tag) {
            case 2 -> "2 (MS ADPCM)";
            case 6 -> "6 (A-law)";
            case 7 -> "7 (mu-law)";
            case 0x11 -> "0x11 (IMA ADPCM)";
            case 0x55 -> "0x55 (MP3)";
            default -> "0x" + Integer.toHexString(tag);
        };
    }

    private static Audio decode(MemorySegment f, long start, long frames, Format fmt, Object name) {
        if (frames > Integer.MAX_VALUE - 8) throw SynesthesiaException.inFile(name, "audio too long: " + frames + " frames");
        int n = (int) frames, ch = fmt.channels(), bps = fmt.bytesPerSample();
        float[] out = new float[n];
        boolean isFloat = fmt.format() == FORMAT_FLOAT;
        // integer PCM: value / 2^(bits-1); averaged over channels
        double scale = isFloat ? 1.0 / ch : 1.0 / (ch * Math.scalb(1.0, 8 * bps - 1));
        long p = start;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < ch; c++, p += bps) sum += sample(f, p, bps, isFloat);
            out[i] = (float) (sum * scale);
            if (isFloat && !Float.isFinite(out[i])) throw nonFinite(f, p - (long) ch * bps, i, fmt, name);
        }
        return new Audio(out, fmt.sampleRate());
    }

    /**
     * {@code FILE: float sample I (at T s) is NaN}, naming the first channel's stored value that is NaN, infinite or
     * (64-bit) beyond float range; frame {@code i} starts at byte {@code p}.
     */
    private static SynesthesiaException nonFinite(MemorySegment f, long p, int i, Format fmt, Object name) {
        double bad = Double.NaN;
        for (int c = 0; c < fmt.channels(); c++) {
            double v = sample(f, p + (long) c * fmt.bytesPerSample(), fmt.bytesPerSample(), true);
            if (!Float.isFinite((float) v)) {
                bad = v;
                break;
            }
        }
        String what = Double.isNaN(bad) || Double.isInfinite(bad) ? Finite.name(bad) : bad + " (beyond float range)";
        return SynesthesiaException.inFile(name, String.format(Locale.ROOT, "float sample %d (at %.3f s) is %s: audio samples must be finite",
                i, i / (double) fmt.sampleRate(), what));
    }

    private static double sample(MemorySegment f, long p, int bytes, boolean isFloat) {
        if (isFloat) return bytes == 4 ? f.get(F32, p) : f.get(F64, p);
        return switch (bytes) {
            case 1 -> Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, p)) - 128;
            case 2 -> f.get(I16, p);
            case 3 -> (Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, p)) | Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, p + 1)) << 8
                    | f.get(ValueLayout.JAVA_BYTE, p + 2) << 16);
            default -> f.get(I32, p);
        };
    }

    private static boolean tag(MemorySegment f, long p, String t) {
        for (int i = 0; i < 4; i++) if (f.get(ValueLayout.JAVA_BYTE, p + i) != t.charAt(i)) return false;
        return true;
    }

    private static String ascii(MemorySegment f, long p) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) c[i] = (char) Byte.toUnsignedInt(f.get(ValueLayout.JAVA_BYTE, p + i));
        return new String(c);
    }

    private static String printable(String id) {
        StringBuilder b = new StringBuilder();
        for (char c : id.toCharArray()) b.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return b.toString();
    }
}
