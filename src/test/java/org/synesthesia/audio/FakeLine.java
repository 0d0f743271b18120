package org.synesthesia.audio;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.Control;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineListener;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/**
 * A {@link TargetDataLine} that "captures" prepared PCM bytes: 16-bit signed little-endian frames of
 * {@code format}, delivered at most {@code framesPerRead} frames per read (like a sound card's period).
 * When the bytes run out it returns 0 (a stalled device), or closes itself if {@code closeAtEnd}.
 */
public final class FakeLine implements TargetDataLine {
    private final AudioFormat format;
    private final byte[] data;
    private final int framesPerRead;
    boolean closeAtEnd;
    private int pos;
    private boolean open, running;
    int reads;

    public FakeLine(AudioFormat format, byte[] data, int framesPerRead) {
        this.format = format;
        this.data = data;
        this.framesPerRead = framesPerRead;
    }

    /** A line playing {@code channels} copies of {@code audio} (int16 = round(x * 32768)) in {@code format}. */
    public static FakeLine of(Audio audio, AudioFormat format, int framesPerRead) {
        int ch = format.getChannels();
        byte[] b = new byte[audio.length() * 2 * ch];
        for (int i = 0; i < audio.length(); i++) {
            short v = WavWriter.toInt16(audio.samples()[i]);
            for (int c = 0; c < ch; c++) {
                b[(i * ch + c) * 2] = (byte) v;
                b[(i * ch + c) * 2 + 1] = (byte) (v >> 8);
            }
        }
        return new FakeLine(format, b, framesPerRead);
    }

    @Override
    public void open(AudioFormat f, int bufferSize) throws LineUnavailableException {
        if (!f.matches(format)) throw new LineUnavailableException("fake line is " + format);
        open = true;
    }

    @Override
    public void open(AudioFormat f) throws LineUnavailableException { open(f, 0); }

    @Override
    public void open() { open = true; }

    @Override
    public int read(byte[] b, int off, int len) {
        reads++;
        if (len % format.getFrameSize() != 0) throw new IllegalArgumentException("not whole frames: " + len);
        if (!open) return 0;
        int n = Math.min(Math.min(len, framesPerRead * format.getFrameSize()), data.length - pos);
        if (n == 0 && closeAtEnd) open = false;
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override public void drain() { }
    @Override public void flush() { }
    @Override public void start() { running = true; }
    @Override public void stop() { running = false; }
    @Override public boolean isRunning() { return running; }
    @Override public boolean isActive() { return running; }
    @Override public AudioFormat getFormat() { return format; }
    @Override public int getBufferSize() { return 0; }
    @Override public int available() { return data.length - pos; }
    @Override public int getFramePosition() { return pos / format.getFrameSize(); }
    @Override public long getLongFramePosition() { return pos / format.getFrameSize(); }
    @Override public long getMicrosecondPosition() { return (long) (getLongFramePosition() * 1e6 / format.getFrameRate()); }
    @Override public float getLevel() { return -1f; }
    @Override public javax.sound.sampled.Line.Info getLineInfo() { return new DataLine.Info(TargetDataLine.class, format); }
    @Override public void close() { open = false; }
    @Override public boolean isOpen() { return open; }
    @Override public Control[] getControls() { return new Control[0]; }
    @Override public boolean isControlSupported(Control.Type control) { return false; }
    @Override public Control getControl(Control.Type control) { throw new IllegalArgumentException("no controls"); }
    @Override public void addLineListener(LineListener listener) { }
    @Override public void removeLineListener(LineListener listener) { }
}
