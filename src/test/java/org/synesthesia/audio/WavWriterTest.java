package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class WavWriterTest {
    @TempDir Path tmp;

    @Test
    void pcm16RoundTripsInt16AudioExactly() throws IOException {
        Path src = SharedData.data("speech/jfk/jfk.wav");
        Audio a = AudioFiles.read(src);
        Path out = tmp.resolve("sub/jfk16.wav");
        WavWriter.write(out, a, WavWriter.Encoding.PCM16);
        Audio b = AudioFiles.read(out);
        assertEquals(16000, b.sampleRate());
        assertArrayEquals(a.samples(), b.samples());
        // the canonical 44-byte header followed by the same sample bytes as the source's data chunk
        assertEquals(44 + 2L * a.length(), Files.size(out));
        try (var list = Files.list(out.getParent())) {
            assertEquals(1, list.count(), "no temporary file left behind");
        }
    }

    @Test
    void pcm16RoundsAndClips() throws IOException {
        Audio a = new Audio(new float[] {0.5f, -1f, 1f, 2f, -3f, 1.4f / 32768, 1.6f / 32768, -1.6f / 32768, Float.NaN}, 8000);
        Path out = tmp.resolve("clip.wav");
        WavWriter.write(out, a, WavWriter.Encoding.PCM16);
        Audio b = AudioFiles.read(out);
        assertEquals(8000, b.sampleRate());
        assertArrayEquals(new float[] {0.5f, -1f, 32767 / 32768f, 32767 / 32768f, -1f, 1 / 32768f, 2 / 32768f, -2 / 32768f, 0}, b.samples());
    }

    @Test
    void float32KeepsEveryValue() throws IOException {
        float[] x = {0.1f, -0.7f, 1.5f, 1e-9f, -1e-30f};
        Path out = tmp.resolve("f.wav");
        WavWriter.write(out, new Audio(x, 44100), WavWriter.Encoding.FLOAT32);
        Audio b = AudioFiles.read(out);
        assertEquals(44100, b.sampleRate());
        assertArrayEquals(x, b.samples());
    }

    @Test
    void unwritableTargetIsOneLine() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve("file"), "x");
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> WavWriter.write(dir.resolve("file/out.wav"), new Audio(new float[1], 16000), WavWriter.Encoding.PCM16));
        assertFalse(e.getMessage().contains("\n"));
    }
}
