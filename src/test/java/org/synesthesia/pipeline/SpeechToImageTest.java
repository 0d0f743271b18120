package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.FakeLine;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.testing.SpeechModels;
import org.synesthesia.util.SynesthesiaException;

/**
 * Speech to image as a library on jfk.wav with the random tiny Whisper and the tiny SD folder: the listener sees
 * the stages in order and steps 1..n, the transcript is {@link Transcription}'s, the outputs appear only when
 * asked, and bad models fail before any audio is read.
 */
class SpeechToImageTest {
    static final List<String> FILE_STAGES = List.of("start READ_AUDIO", "finish READ_AUDIO", "start LOAD_WHISPER",
            "finish LOAD_WHISPER", "start MEL", "finish MEL", "start TRANSCRIBE", "finish TRANSCRIBE", "start LOAD_SD",
            "finish LOAD_SD", "start DENOISE", "finish DENOISE", "start VAE_DECODE", "finish VAE_DECODE");

    @TempDir Path tmp;
    SpeechModels m;
    TranscriptionSettings greedy = TranscriptionSettings.DEFAULTS.withLanguage("en").withBeamSize(0).withFallback(false);

    @BeforeEach
    void setUp() throws IOException {
        m = SpeechModels.in(tmp);
    }

    private SpeechToImage.Request job(AudioSource source, int steps, Path out, Path keepAudio) {
        GenerationSettings g = GenerationSettings.defaults(7).withSteps(steps).withSize(24, 16);
        return new SpeechToImage.Request(source, new ModelFiles(m.whisper(), m.tokenizers()), greedy, ModelFiles.of(m.sd()), g, out, keepAudio);
    }

    @Test
    void stagesInOrderStepsOneToNAndTheTranscriptOfTranscription() {
        RecordingListener l = new RecordingListener();
        AudioSource window = new AudioSource.FileWindow(m.wav(), new TimeWindow(1, 4));
        SpeechToImage.Result r = new SpeechToImage("test", l).run(job(window, 3, null, null));

        assertEquals(FILE_STAGES, l.stages());
        assertEquals(List.of("step 1/3", "step 2/3", "step 3/3"), l.steps());
        assertEquals(FILE_STAGES.stream().filter(s -> s.startsWith("finish ")).map(s -> s.substring(7)).toList(),
                r.times().stream().map(t -> t.stage().name()).toList());
        int denoiseEnd = l.events.indexOf("finish DENOISE");
        assertTrue(l.events.indexOf("step 3/3") < denoiseEnd && l.events.indexOf("start DENOISE") < l.events.indexOf("step 1/3"), l.events.toString());

        String heard = new Transcription("test", null).transcribe(window, new ModelFiles(m.whisper(), m.tokenizers()), greedy).text();
        assertFalse(heard.isEmpty());
        assertEquals(heard, r.transcript());
        assertEquals(PromptCleaner.clean(heard), r.prompt());
        assertTrue(l.notes.contains("transcript: " + heard) && l.notes.contains("prompt: " + r.prompt()), l.notes.toString());
        assertEquals(3.0, r.audio().seconds(), 1e-9);
        assertArrayEquals(new int[] {1, 3, 16, 24}, r.image().images().shape());
        assertTrue(r.peakHeap() > 0);
        assertTrue(l.notes.get(l.notes.size() - 1).startsWith("peak memory: heap "), l.notes.toString());
        assertEquals(List.of(), filesIn(tmp.resolve("none")));
    }

    @Test
    void recordsAndWritesTheOutputs() throws IOException {
        RecordingListener l = new RecordingListener();
        AudioSource mic = new AudioSource.Recording(2, f -> FakeLine.of(AudioFiles.read(m.wav()), f, 800));
        Path out = tmp.resolve("o/speech.png"), kept = tmp.resolve("o/heard.wav");
        Files.createDirectories(out.getParent());
        SpeechToImage.Result r = new SpeechToImage("test", l).run(job(mic, 2, out, kept));

        assertEquals(List.of("start RECORD", "finish RECORD"), l.stages().subList(0, 2));
        assertEquals(32000, AudioFiles.read(kept).length());
        List<String> txt = Files.readAllLines(tmp.resolve("o/speech.txt"));
        assertEquals("transcript: " + r.transcript(), txt.get(0));
        assertEquals("prompt: " + r.prompt(), txt.get(1));
        assertEquals("parameters: " + r.image().parameters().replace("\n", "\n  "), String.join("\n", txt.subList(2, txt.size())));
        assertTrue(Files.isRegularFile(out));
        assertTrue(l.notes.contains("wrote " + out + " and " + tmp.resolve("o/speech.txt")), l.notes.toString());
    }

    @Test
    void badModelsAndSettingsFailBeforeAnyAudio() {
        RecordingListener l = new RecordingListener();
        AudioSource window = new AudioSource.FileWindow(m.wav(), TimeWindow.ALL);
        Path missing = tmp.resolve("missing.safetensors");
        SpeechToImage.Request noWhisper = new SpeechToImage.Request(window, ModelFiles.of(missing), greedy, ModelFiles.of(m.sd()),
                GenerationSettings.defaults(1), null, null);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new SpeechToImage("test", l).run(noWhisper));
        assertEquals(missing + ": no such whisper model file or folder", e.getMessage());
        assertEquals(List.of(), l.events);
        assertThrows(IllegalArgumentException.class, () -> new SpeechToImage.Request(window, ModelFiles.of(m.whisper()), greedy,
                ModelFiles.of(m.sd()), new GenerationSettings("", 2, null, 7.5, 1, null, null, 2, null, null, 0, null), null, null));
        assertThrows(IllegalArgumentException.class, () -> new SpeechToImage.Request(window, ModelFiles.of(m.whisper()), greedy,
                ModelFiles.of(m.sd()), null, tmp.resolve("image.jpg"), null));
        SynesthesiaException blank = assertThrows(SynesthesiaException.class, () -> new SpeechToImage("speak", l).promptOf(" [BLANK_AUDIO] "));
        assertEquals("speak: nothing speakable in the transcript \"[BLANK_AUDIO]\"", blank.getMessage());
    }

    private static List<Path> filesIn(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
