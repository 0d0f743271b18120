package org.synesthesia.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleConsumer;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;
import org.synesthesia.util.SynesthesiaException;

/**
 * A {@link Microphone} over a Java Sound {@link TargetDataLine} capturing 16-bit signed little-endian PCM.
 *
 * <p>{@link #open(LineSource)} asks for 16 kHz mono first; sound cards that only offer 48 or 44.1 kHz (mono or
 * stereo) are accepted too, and the recording is then averaged to mono and {@link Resampler resampled} to 16 kHz.
 * The line is opened on {@code open} and closed by {@link #close()}.
 */
public final class LineMicrophone implements Microphone {
    /** Capture formats in order of preference: 16-bit signed little-endian PCM. */
    static final List<AudioFormat> FORMATS = List.of(pcm(16000, 1), pcm(48000, 1), pcm(44100, 1), pcm(48000, 2), pcm(44100, 2));
    /** A read that delivers nothing for this long ends the recording with an error. */
    static final long STALL_NANOS = 5_000_000_000L;

    /** Where lines come from: {@link AudioSystem#getTargetDataLine(AudioFormat)} for the real thing. */
    @FunctionalInterface
    public interface LineSource {
        TargetDataLine line(AudioFormat format) throws LineUnavailableException;
    }

    private final TargetDataLine line;
    private final AudioFormat format;
    private final long stallNanos;

    /** Wraps a line that is already open in {@code format} (16-bit signed little-endian PCM). */
    LineMicrophone(TargetDataLine line, AudioFormat format) {
        this(line, format, STALL_NANOS);
    }

    LineMicrophone(TargetDataLine line, AudioFormat format, long stallNanos) {
        if (format.getEncoding() != AudioFormat.Encoding.PCM_SIGNED || format.getSampleSizeInBits() != 16 || format.isBigEndian())
            throw new IllegalArgumentException("LineMicrophone needs 16-bit signed little-endian PCM, not " + format);
        this.line = line;
        this.format = format;
        this.stallNanos = stallNanos;
    }

    static AudioFormat pcm(int rate, int channels) {
        return new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, rate, 16, channels, 2 * channels, rate, false);
    }

    /** The system's default capture line, or the one-line error "no microphone available (...)". */
    public static LineMicrophone open() {
        return open(AudioSystem::getTargetDataLine);
    }

    /** The first of {@link #FORMATS} that {@code source} can open. */
    public static LineMicrophone open(LineSource source) {
        List<String> problems = new ArrayList<>();
        for (AudioFormat f : FORMATS) {
            TargetDataLine line;
            try {
                line = source.line(f);
            } catch (IllegalArgumentException | LineUnavailableException | SecurityException | LinkageError e) {
                problems.add(describe(f) + ": " + oneLine(e));
                continue;
            }
            if (line == null) {
                problems.add(describe(f) + ": no line");
                continue;
            }
            try {
                // half a second of buffer: reads every 50 ms keep well ahead of it
                line.open(f, Math.max(f.getFrameSize(), (int) (f.getFrameRate() / 2) * f.getFrameSize()));
                return new LineMicrophone(line, f);
            } catch (IllegalArgumentException | LineUnavailableException | SecurityException e) {
                problems.add(describe(f) + ": " + oneLine(e));
                line.close();
            }
        }
        String why = problems.isEmpty() ? "" : " (Java Sound, " + problems.get(0) + (problems.size() > 1 ? "; 48 and 44.1 kHz mono/stereo failed too" : "") + ")";
        throw new SynesthesiaException("no microphone available" + why);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }

    static String describe(AudioFormat f) {
        return String.format(Locale.ROOT, "%s Hz %s 16-bit", new java.text.DecimalFormat("0.###").format(f.getSampleRate()), f.getChannels() == 1 ? "mono" : f.getChannels() + "-channel");
    }

    @Override
    public String description() {
        String n = line.getLineInfo() == null ? "line" : line.getLineInfo().toString();
        return n + ", " + describe(format);
    }

    AudioFormat format() {
        return format;
    }

    @Override
    public Audio record(double seconds, DoubleConsumer progress) {
        if (!(seconds > 0) || seconds > 24 * 3600) throw new SynesthesiaException(String.format(Locale.ROOT, "recording length must be between 0 and 24 h, not %s s", seconds));
        int rate = Math.round(format.getSampleRate()), channels = format.getChannels(), frameBytes = format.getFrameSize();
        int frames = (int) Math.round(seconds * rate);
        float[] mono = new float[frames];
        int chunkFrames = Math.max(1, rate / 20); // 50 ms per read
        byte[] buf = new byte[chunkFrames * frameBytes];
        double scale = 1.0 / (channels * 32768.0);
        int got = 0;
        long stallSince = -1;
        line.flush();
        line.start();
        try {
            while (got < frames) {
                // Java Sound lines read whole frames
                int n = line.read(buf, 0, Math.min(chunkFrames, frames - got) * frameBytes) / frameBytes;
                if (n <= 0) {
                    if (!line.isOpen()) throw new SynesthesiaException(String.format(Locale.ROOT, "microphone closed after %.1f s of recording", got / (double) rate));
                    long now = System.nanoTime();
                    if (stallSince < 0) stallSince = now;
                    else if (now - stallSince > stallNanos)
                        throw new SynesthesiaException(String.format(Locale.ROOT, "microphone delivered no audio for %.1f s (after %.1f s of recording)", stallNanos / 1e9, got / (double) rate));
                    sleep();
                    continue;
                }
                stallSince = -1;
                for (int i = 0; i < n; i++) {
                    int sum = 0;
                    for (int c = 0; c < channels; c++) {
                        int p = i * frameBytes + 2 * c;
                        sum += (short) (buf[p] & 0xFF | buf[p + 1] << 8);
                    }
                    mono[got + i] = (float) (sum * scale);
                }
                got += n;
                if (progress != null) progress.accept(got / (double) rate);
            }
        } finally {
            line.stop();
        }
        return Resampler.to16k(new Audio(mono, rate));
    }

    private static void sleep() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SynesthesiaException("recording interrupted");
        }
    }

    @Override
    public void close() {
        line.close();
    }
}
