package org.synesthesia.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.util.SynesthesiaException;

/**
 * Writes mono WAV files atomically: 16-bit PCM ({@code round(x * 32768)} clipped to [-32768, 32767], so audio
 * read as int16/32768 round-trips exactly) or 32-bit IEEE float (format 3, with the {@code fact} chunk).
 */
public final class WavWriter {
    public enum Encoding { PCM16, FLOAT32 }

    private WavWriter() {}

    public static void write(Path path, Audio audio, Encoding encoding) {
        try {
            AtomicFiles.write(path, out -> write(out, audio, encoding));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(path, "cannot write: " + e.getMessage());
        }
    }

    /** Streams the WAV bytes of {@code audio} to {@code out}. */
    public static void write(OutputStream out, Audio audio, Encoding encoding) throws IOException {
        boolean pcm = encoding == Encoding.PCM16;
        int bytes = pcm ? 2 : 4;
        long data = (long) audio.length() * bytes;
        int fmtLen = pcm ? 16 : 18;
        long riff = 4 + 8 + fmtLen + (pcm ? 0 : 12) + 8 + data;
        if (riff > 0xFFFFFFFFL) throw new SynesthesiaException("audio too long for a WAV file: " + audio.length() + " samples");
        ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt((int) riff).put("WAVE".getBytes());
        h.put("fmt ".getBytes()).putInt(fmtLen)
                .putShort((short) (pcm ? WavReader.FORMAT_PCM : WavReader.FORMAT_FLOAT))
                .putShort((short) 1)
                .putInt(audio.sampleRate())
                .putInt(audio.sampleRate() * bytes)
                .putShort((short) bytes)
                .putShort((short) (8 * bytes));
        if (!pcm) {
            h.putShort((short) 0);                                  // cbSize
            h.put("fact".getBytes()).putInt(4).putInt(audio.length()); // sample frames
        }
        h.put("data".getBytes()).putInt((int) data);
        out.write(h.array(), 0, h.position());
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : audio.samples()) {
            if (b.remaining() < 4) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            if (pcm) b.putShort(toInt16(x));
            else b.putFloat(x);
        }
        out.write(b.array(), 0, b.position());
    }

    /** {@code round(x * 32768)} clipped to the int16 range (NaN becomes 0). */
    static short toInt16(float x) {
        if (Float.isNaN(x)) return 0;
        long v = Math.round(x * 32768.0);
        return (short) Math.max(-32768, Math.min(32767, v));
    }
}
