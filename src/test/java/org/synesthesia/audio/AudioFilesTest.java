package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class AudioFilesTest {
    @TempDir Path tmp;

    private String error(Path p) {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AudioFiles.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void dispatchesOnMagicBytesNotExtension() throws IOException {
        Path flacNamedWav = tmp.resolve("really-flac.wav");
        Files.copy(SharedData.data("speech/librispeech/test-clean/1089/134691/1089-134691-0000.flac"), flacNamedWav);
        Audio a = AudioFiles.read(flacNamedWav);
        assertEquals(33360, a.length());
        Path wavNamedFlac = tmp.resolve("really-wav.flac");
        Files.copy(SharedData.data("speech/jfk/jfk.wav"), wavNamedFlac);
        assertEquals(176000, AudioFiles.read(wavNamedFlac).length());
    }

    @Test
    void otherFilesAreClearErrors() throws IOException {
        assertEquals(tmp.resolve("missing.wav") + ": no such file", error(tmp.resolve("missing.wav")));
        assertTrue(error(Files.writeString(tmp.resolve("notes.txt"), "hello, this is text")).endsWith("not a WAV or FLAC file"));
        assertTrue(error(Files.write(tmp.resolve("empty.wav"), new byte[0])).contains("not a WAV or FLAC file (it is empty)"));
        assertTrue(error(SharedData.data("speech/jfk/jfk.mp3")).contains("not a WAV or FLAC file (looks like MP3"));
        assertTrue(error(Files.write(tmp.resolve("a.ogg"), "OggS\0\2....".getBytes())).contains("Ogg"));
        assertTrue(error(tmp).contains("is a folder"));
    }

    @Test
    void readWithWindow() {
        Audio a = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"), new TimeWindow(1, 2));
        Audio all = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        assertArrayEquals(java.util.Arrays.copyOfRange(all.samples(), 16000, 32000), a.samples());
    }
}
