package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.FakeLine;
import org.synesthesia.testing.SharedData;

class RecordCommandTest {
    @TempDir Path tmp;

    @AfterEach
    void restore() {
        RecordCommand.lines = AudioSystem::getTargetDataLine;
    }

    @Test
    void recordsAWavFromTheLine() {
        Audio jfk = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        RecordCommand.lines = f -> FakeLine.of(jfk, f, 800);
        Path out = tmp.resolve("takes/take.wav");
        CliRun r = CliRun.of("record", "--seconds", "3", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        Audio got = AudioFiles.read(out);
        assertEquals(16000, got.sampleRate());
        assertArrayEquals(Arrays.copyOf(jfk.samples(), 48000), got.samples());
        assertTrue(r.err().contains("recording 3/3"), r.err());
        assertTrue(r.err().contains("wrote " + out), r.err());
    }

    @Test
    void noMicrophoneIsOneLineAndWritesNothing() {
        RecordCommand.lines = f -> { throw new IllegalArgumentException("No line matching interface TargetDataLine supporting format " + f + " is supported."); };
        Path out = tmp.resolve("take.wav");
        CliRun r = CliRun.of("record", "--out", out.toString());
        assertEquals(1, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("synesthesia: no microphone available"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void badOptions() {
        RecordCommand.lines = f -> new FakeLine(f, new byte[0], 1);
        CliRun r = CliRun.of("record", "--seconds", "-1", "--out", tmp.resolve("a.wav").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--seconds must be between"), r.err());
        assertEquals(1, CliRun.of("record").rc());
        assertEquals(1, CliRun.of("record", "--out", "x.wav", "--secs", "2").rc());
    }
}
