package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.DecodingOptions;
import org.synesthesia.whisper.Segment;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.Transcriber;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperTokenizer;

/**
 * Transcription as a library with the random tiny models: the transcript is the {@link Transcriber}'s on the same
 * mel and options, moved to the file's time for a window; an English-only model notes that it transcribes English.
 */
class TranscriptionTest {
    final Path wav = SharedData.data("speech/jfk/jfk.wav");
    final Path tok = SharedData.data("tokenizers");
    final TranscriptionSettings greedy = TranscriptionSettings.DEFAULTS.withLanguage("en").withBeamSize(0).withFallback(false);

    @Test
    void equalsTheTranscriberInTheFilesTime() {
        Path model = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        RecordingListener l = new RecordingListener();
        Transcription.Result r = new Transcription("test", l).transcribe(new AudioSource.FileWindow(wav, new TimeWindow(2, 5)),
                new ModelFiles(model, tok), greedy);

        Transcript api;
        try (Whisper w = Whisper.load(model)) {
            float[] samples = Resampler.to16k(AudioFiles.read(wav, new TimeWindow(2, 5))).samples();
            TranscribeOptions o = TranscribeOptions.DEFAULT.withTemperatures(0.0)
                    .withDecoding(DecodingOptions.DEFAULT.withLanguage("en").withBestOf(5));
            api = Transcriber.of(w, WhisperTokenizer.forModel(tok, w.config().nVocab())).transcribe(LogMel.forTranscription(samples, 80), o,
                    Transcriber.Listener.NONE);
        }
        assertFalse(api.segments().isEmpty());
        assertEquals(api.segments().size(), r.transcript().segments().size());
        for (int i = 0; i < api.segments().size(); i++) {
            Segment a = api.segments().get(i), b = r.transcript().segments().get(i);
            assertEquals(a.text(), b.text());
            assertEquals(a.start() + 2, b.start(), 1e-9);
            assertEquals(a.end() + 2, b.end(), 1e-9);
            assertEquals(b, l.segments.get(i), "segments reach the listener in the file's time");
        }
        assertEquals(Transcription.oneLine(api), r.text());
        assertEquals(3.0, r.audioSeconds(), 1e-9);
        int frames = LogMel.contentFrames(48000);
        assertEquals(List.of("start READ_AUDIO", "finish READ_AUDIO", "start LOAD_WHISPER", "finish LOAD_WHISPER", "start MEL",
                "finish MEL", "start TRANSCRIBE", "transcription " + frames, "window 0/" + frames, "window " + frames + "/" + frames,
                "finish TRANSCRIBE"), l.events);
        assertEquals(4, r.times().size());
    }

    @Test
    void englishOnlyModelNotesTheLanguageAndUnknownLanguagesFail() {
        Path en = SharedData.golden("whisper_tiny_random_en", "weights.safetensors");
        RecordingListener l = new RecordingListener();
        AudioSource clip = new AudioSource.FileWindow(wav, new TimeWindow(0, 1));
        new Transcription("test", l).transcribe(clip, new ModelFiles(en, tok), greedy.withLanguage("de"));
        assertEquals(List.of(en + " is an English-only model; transcribing as English"), l.notes);
        SynesthesiaException e = assertThrows(SynesthesiaException.class,
                () -> new Transcription("test", null).transcribe(clip, new ModelFiles(en, tok), greedy.withLanguage("xx")));
        assertEquals("test: unknown language 'xx'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> greedy.withBeamSize(-1));
        assertTrue(TranscriptionSettings.DEFAULTS.withLanguage("AUTO").language() == null);
    }
}
