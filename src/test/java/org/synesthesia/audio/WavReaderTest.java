package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.synesthesia.audio.WavFixtures.float32;
import static org.synesthesia.audio.WavFixtures.float64;
import static org.synesthesia.audio.WavFixtures.int16;
import static org.synesthesia.audio.WavFixtures.int24;
import static org.synesthesia.audio.WavFixtures.int32;
import static org.synesthesia.audio.WavFixtures.riff;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class WavReaderTest {
    @TempDir Path tmp;

    private Audio read(byte[] wav) throws IOException {
        Path p = Files.write(tmp.resolve("t.wav"), wav);
        return AudioFiles.read(p);
    }

    private String error(byte[] wav) throws IOException {
        Path p = Files.write(tmp.resolve("bad.wav"), wav);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AudioFiles.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void pcm16MonoIsInt16Over32768() throws IOException {
        Audio a = read(riff().fmt(1, 1, 16000, 16).chunk("data", int16(0, 1, -1, 32767, -32768, 12345)).bytes());
        assertEquals(16000, a.sampleRate());
        assertArrayEquals(new float[] {0, 1 / 32768f, -1 / 32768f, 32767 / 32768f, -1f, 12345 / 32768f}, a.samples());
    }

    @Test
    void pcm8IsUnsigned() throws IOException {
        Audio a = read(riff().fmt(1, 1, 8000, 8).chunk("data", new byte[] {(byte) 128, 0, (byte) 255, 64, 1}).bytes());
        assertEquals(8000, a.sampleRate());
        assertArrayEquals(new float[] {0, -1, 127 / 128f, -0.5f, -127 / 128f}, a.samples()); // odd data chunk: padded
    }

    @Test
    void pcm24And32() throws IOException {
        Audio a = read(riff().fmt(1, 1, 44100, 24).chunk("data", int24(0, 1, -1, 8388607, -8388608, 4194304)).bytes());
        assertArrayEquals(new float[] {0, 1 / 8388608f, -1 / 8388608f, 8388607 / 8388608f, -1, 0.5f}, a.samples());
        Audio b = read(riff().fmt(1, 1, 48000, 32).chunk("data", int32(0, Integer.MIN_VALUE, 1 << 30, -(1 << 29), Integer.MAX_VALUE)).bytes());
        assertArrayEquals(new float[] {0, -1, 0.5f, -0.25f, (float) (Integer.MAX_VALUE / 2147483648.0)}, b.samples());
    }

    @Test
    void float32And64KeepValues() throws IOException {
        Audio a = read(riff().fmt(3, 1, 22050, 32).chunk("fact", WavFixtures.le32(3)).chunk("data", float32(0.25f, -0.75f, 1.5f)).bytes());
        assertArrayEquals(new float[] {0.25f, -0.75f, 1.5f}, a.samples());
        Audio b = read(riff().fmt(3, 1, 22050, 64).chunk("data", float64(0.1, -0.3)).bytes());
        assertArrayEquals(new float[] {0.1f, -0.3f}, b.samples());
    }

    @Test
    void channelsAreAveraged() throws IOException {
        Audio st = read(riff().fmt(1, 2, 16000, 16).chunk("data", int16(1000, 3000, -200, 200, 32767, 32767)).bytes());
        assertArrayEquals(new float[] {2000 / 32768f, 0, 32767 / 32768f}, st.samples());
        Audio six = read(riff().fmt(3, 6, 16000, 32).chunk("data", float32(1, 2, 3, 4, 5, 9, -6, 0, 0, 0, 0, 0)).bytes());
        assertArrayEquals(new float[] {4, -1}, six.samples());
    }

    @Test
    void extensiblePcmAndFloat() throws IOException {
        Audio a = read(riff().fmtExtensible(1, 2, 96000, 24, 20).chunk("data", int24(0x100000, 0x300000, -16, -16)).bytes());
        assertEquals(96000, a.sampleRate());
        assertArrayEquals(new float[] {0x200000 / 8388608f, -16 / 8388608f}, a.samples());
        Audio f = read(riff().fmtExtensible(3, 1, 16000, 32, 32).chunk("data", float32(0.5f, -0.5f)).bytes());
        assertArrayEquals(new float[] {0.5f, -0.5f}, f.samples());
    }

    @Test
    void unknownAndOddChunksAreSkipped() throws IOException {
        byte[] wav = riff().chunk("JUNK", new byte[7]).fmt(1, 1, 16000, 16).chunk("LIST", "INFOISFT\3\0\0\0ab".getBytes())
                .chunk("cue ", new byte[1]).chunk("data", int16(5, -5)).chunk("id3 ", new byte[3]).bytes();
        assertArrayEquals(new float[] {5 / 32768f, -5 / 32768f}, read(wav).samples());
    }

    @Test
    void streamedDataSizeMeansToTheEnd() throws IOException {
        byte[] wav = riff().fmt(1, 1, 16000, 16).chunk("data", int16(1, 2, 3), 0xFFFFFFFFL).bytes();
        assertArrayEquals(new float[] {1 / 32768f, 2 / 32768f, 3 / 32768f}, read(wav).samples());
        // a trailing partial frame is dropped
        byte[] partial = riff().fmt(1, 2, 16000, 16).chunk("data", Arrays.copyOf(int16(2, 4, 6), 6)).bytes();
        assertArrayEquals(new float[] {3 / 32768f}, read(partial).samples());
    }

    @Test
    void errorsAreOneLineNamingTheFile() throws IOException {
        byte[] good = riff().fmt(1, 1, 16000, 16).chunk("data", int16(1, 2, 3, 4)).bytes();
        assertTrue(error(Arrays.copyOf(good, good.length - 3)).contains("truncated: data chunk of 8 bytes"));
        assertTrue(error(Arrays.copyOf(good, 30)).contains("truncated"));
        assertTrue(error(Arrays.copyOf(good, 8)).contains("not a WAV or FLAC file") || error(Arrays.copyOf(good, 8)).contains("not a WAV"));
        assertTrue(error(riff().fmt(1, 1, 16000, 16).bytes()).contains("no data chunk"));
        assertTrue(error(riff().chunk("data", int16(1)).fmt(1, 1, 16000, 16).bytes()).contains("data chunk before the fmt chunk"));
        assertTrue(error(riff().fmt(2, 1, 16000, 4).chunk("data", new byte[4]).bytes()).contains("unsupported WAV encoding: format tag 2 (MS ADPCM)"));
        assertTrue(error(riff().fmt(1, 1, 16000, 12).chunk("data", new byte[4]).bytes()).contains("unsupported WAV encoding: 12-bit"));
        assertTrue(error(riff().fmt(3, 1, 16000, 16).chunk("data", new byte[4]).bytes()).contains("16-bit float"));
        assertTrue(error(riff().fmt(1, 0, 16000, 16).chunk("data", new byte[4]).bytes()).contains("0 channels"));
        assertTrue(error(riff().fmt(1, 1, 0, 16).chunk("data", new byte[4]).bytes()).contains("sample rate 0"));
        byte[] guid = riff().fmtExtensible(1, 1, 16000, 16, 16).chunk("data", new byte[4]).bytes();
        guid[12 + 8 + 30] ^= 1; // a byte of the sub-format GUID tail
        assertTrue(error(guid).contains("unknown sub-format GUID"));
        byte[] align = riff().fmt(1, 2, 16000, 16).chunk("data", new byte[8]).bytes();
        align[12 + 8 + 12] = 3;
        assertTrue(error(align).contains("block align 3"));
        byte[] rf64 = good.clone();
        System.arraycopy("RF64".getBytes(), 0, rf64, 0, 4);
        assertTrue(error(rf64).contains("RF64"));
        byte[] overlong = riff().chunk("LIST", new byte[4], 1000).bytes();
        assertTrue(error(overlong).contains("truncated: chunk 'LIST' of 1000 bytes"));
    }

    /** Issue 13 item 2: absurd header fields are one line at once, before any allocation or resampling. */
    @Test
    void implausibleRatesAndChannelsAreOneLineWithoutHangOrAllocation() throws IOException {
        byte[] real = Files.readAllBytes(SharedData.data("speech/jfk/jfk.wav"));
        byte[] flipped = real.clone();
        flipped[27] ^= 0x1a; // 16000 Hz -> 436223616 Hz
        assertTrue(bounded(flipped).contains("sample rate 436223616 Hz (1000..768000 Hz supported)"));
        assertTrue(bounded(riff().fmt(1, 1, Integer.MAX_VALUE, 16).chunk("data", int16(1, 2, 3, 4)).bytes()).contains("sample rate 2147483647 Hz"));
        assertTrue(bounded(riff().fmt(1, 1, 1, 16).chunk("data", int16(1, 2, 3, 4)).bytes()).contains("sample rate 1 Hz"));
        assertTrue(bounded(riff().fmt(3, 1, 999, 32).chunk("data", float32(0)).bytes()).contains("sample rate 999 Hz"));
        assertTrue(bounded(riff().fmt(1, 65535, 16000, 8).chunk("data", new byte[65535]).bytes()).contains("65535 channels (1..256 supported)"));
        assertTrue(bounded(riff().fmtExtensible(1, 1, 16000, 16, 24).chunk("data", int16(1)).bytes()).contains("24 valid bits"));
        // the limits themselves are accepted
        assertEquals(1000, read(riff().fmt(1, 1, 1000, 16).chunk("data", int16(1)).bytes()).sampleRate());
        assertEquals(768000, read(riff().fmt(1, 256, 768000, 8).chunk("data", new byte[256]).bytes()).sampleRate());
    }

    /** Issue 13 item 9: a float sample that is NaN or infinite (or a double beyond float range) is refused at read time. */
    @Test
    void nonFiniteSamplesAreRefusedNamingTheirTime() throws IOException {
        float[] x = new float[16000 * 2];
        x[24000] = Float.NaN;
        String e = bounded(riff().fmt(3, 1, 16000, 32).chunk("data", float32(x)).bytes());
        assertTrue(e.contains("sample 24000 (at 1.500 s) is NaN"), e);
        assertTrue(bounded(riff().fmt(3, 2, 16000, 32).chunk("data", float32(0, 0, 0, Float.NEGATIVE_INFINITY)).bytes()).contains("sample 1 (at 0.000 s) is -Inf"));
        assertTrue(bounded(riff().fmt(3, 1, 16000, 64).chunk("data", float64(0, 1e300)).bytes()).contains("sample 1 (at 0.000 s) is 1.0E300"));
    }

    /**
     * {@link #error} within 5 s, allocating under 64 MB on the reading thread (the fixed reader rejects before
     * decoding; before, a rate of 2^31-1 hung in the resampler's table and rate 1 asked for a 2.8-billion-sample array).
     */
    private String bounded(byte[] wav) {
        return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            String m = error(wav);
            try {
                Resampler.to16k(AudioFiles.read(tmp.resolve("bad.wav")));
            } catch (SynesthesiaException expected) {
                // the read fails again; nothing reaches the resampler
            }
            long used = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(used < 64L << 20, "allocated " + used + " bytes for: " + m);
            return m;
        });
    }

    @Test
    void jfkWav() {
        Audio a = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        assertEquals(16000, a.sampleRate());
        assertEquals(176000, a.length());
        assertEquals(11.0, a.seconds(), 1e-9);
    }
}
