package org.synesthesia.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.LineUnavailableException;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class LineMicrophoneTest {
    @Test
    void records16kMonoSampleExactly() {
        Audio jfk = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        FakeLine line = FakeLine.of(jfk, LineMicrophone.pcm(16000, 1), 333);
        List<Double> progress = new ArrayList<>();
        try (LineMicrophone mic = LineMicrophone.open(f -> line)) {
            assertEquals(16000f, mic.format().getSampleRate());
            Audio a = mic.record(2.5, progress::add);
            assertEquals(16000, a.sampleRate());
            assertArrayEquals(Arrays.copyOf(jfk.samples(), 40000), a.samples());
        }
        assertFalse(line.isOpen(), "closed");
        assertEquals(2.5, progress.get(progress.size() - 1), 1e-12);
        for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i) > progress.get(i - 1));
    }

    @Test
    void fallsBackTo48kStereoAndConvertsTo16kMono() {
        float[] tone = ResamplerTest.sine(48000, 1000, 0.4, 3);
        List<AudioFormat> asked = new ArrayList<>();
        LineMicrophone.LineSource source = f -> {
            asked.add(f);
            if (f.getChannels() == 1) throw new IllegalArgumentException("No line matching " + f + " is supported.");
            if (f.getSampleRate() != 48000) throw new LineUnavailableException("busy");
            return FakeLine.of(new Audio(tone, 48000), f, 4800);
        };
        try (LineMicrophone mic = LineMicrophone.open(source)) {
            assertEquals(2, mic.format().getChannels());
            assertEquals(4, asked.size(), "16k, 48k, 44.1k mono refused, then 48k stereo");
            Audio a = mic.record(2, null);
            assertEquals(16000, a.sampleRate());
            assertEquals(32000, a.length());
            assertEquals(0.4, ResamplerTest.amplitude(a.samples(), 16000, 1000, 8000, 24000), 1e-3);
        }
    }

    @Test
    void noMicrophoneIsOneClearLine() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> LineMicrophone.open(f -> { throw new IllegalArgumentException("No line matching interface TargetDataLine supporting format " + f + " is supported."); }));
        assertTrue(e.getMessage().startsWith("no microphone available"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        // a line that exists but cannot be opened
        FakeLine wrong = new FakeLine(LineMicrophone.pcm(8000, 1), new byte[0], 1);
        e = assertThrows(SynesthesiaException.class, () -> LineMicrophone.open(f -> wrong));
        assertTrue(e.getMessage().startsWith("no microphone available"), e.getMessage());
    }

    @Test
    void deviceThatStopsDeliveringIsAnError() {
        Audio second = new Audio(new float[16000], 16000);
        FakeLine stalls = FakeLine.of(second, LineMicrophone.pcm(16000, 1), 1600);
        try (LineMicrophone mic = new LineMicrophone(stalls, LineMicrophone.pcm(16000, 1), 50_000_000L)) {
            stalls.open();
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> mic.record(2, null));
            assertTrue(e.getMessage().startsWith("microphone delivered no audio for") && e.getMessage().endsWith("(after 1.0 s of recording)"), e.getMessage());
        }
        FakeLine closes = FakeLine.of(second, LineMicrophone.pcm(16000, 1), 1600);
        closes.closeAtEnd = true;
        try (LineMicrophone mic = new LineMicrophone(closes, LineMicrophone.pcm(16000, 1))) {
            closes.open();
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> mic.record(2, null));
            assertEquals("microphone closed after 1.0 s of recording", e.getMessage());
        }
        assertThrows(SynesthesiaException.class, () -> new LineMicrophone(closes, LineMicrophone.pcm(16000, 1)).record(0, null));
    }
}
