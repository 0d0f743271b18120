package org.synesthesia.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.LogMel;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.DecodingResult;
import org.synesthesia.whisper.LanguageDetection;
import org.synesthesia.whisper.Segment;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.Transcriber;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.TranscriptWriter;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperLanguages;
import org.synesthesia.whisper.WhisperTokenizer;
import org.synesthesia.whisper.WhisperTokenizers;

/**
 * Speech to text: the audio (16 kHz mono), Whisper loaded, its tokenizer found, the log-Mel of the whole audio
 * (padded with 30 s of silence), the long-form transcription in 30 s windows ({@link Transcriber}); Whisper is
 * closed before the result returns. Stages: the audio source's, {@link Stage#LOAD_WHISPER}, {@link Stage#MEL},
 * {@link Stage#TRANSCRIBE}.
 */
public final class Transcription extends Job {
    /** The transcript (timestamps of the whole source), the seconds of audio heard, and the stages' times. */
    public record Result(Transcript transcript, double audioSeconds, List<StageTime> times) {
        /** The transcript as {@code transcribe} prints it (one line per segment), on one line. */
        public String text() {
            return oneLine(transcript);
        }
    }

    /** {@code caller}: the name one-line errors and notes are about (a command's, e.g. {@code transcribe}). */
    public Transcription(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** Reads {@code source} and transcribes it with {@code whisper}. */
    public Result transcribe(AudioSource source, ModelFiles whisper, TranscriptionSettings settings) {
        StageClock clock = new StageClock(listener);
        Audio audio = clock.time(source.stage(), () -> source.read16k(listener));
        return transcribe(audio, source.offset(), whisper, settings, clock);
    }

    /**
     * Reads {@code source} and detects its language on the first 30 s (openai {@code detect_language}) without
     * transcribing; an English-only model is an error.
     */
    public LanguageDetection detectLanguage(AudioSource source, ModelFiles files) {
        StageClock clock = new StageClock(listener);
        Audio audio = clock.time(source.stage(), () -> source.read16k(listener));
        try (Whisper whisper = clock.time(Stage.LOAD_WHISPER, () -> Whisper.load(files.model()))) {
            WhisperTokenizer tokenizer = WhisperTokenizers.forModel(whisper, files.tokenizer(), files.model(), caller);
            if (!tokenizer.multilingual())
                throw new SynesthesiaException(caller + ": " + files.model() + " is an English-only model: it has no languages to detect");
            Tensor mel = clock.time(Stage.MEL, () -> LogMel.forTranscription(audio.samples(), whisper.melFilters()));
            return Transcriber.of(whisper, tokenizer).detectLanguage(mel);
        }
    }

    /** Transcribes 16 kHz mono {@code audio} that starts {@code offset} seconds into its source. */
    public Result transcribe(Audio audio, double offset, ModelFiles whisper, TranscriptionSettings settings) {
        return transcribe(audio, offset, whisper, settings, new StageClock(listener));
    }

    Result transcribe(Audio audio, double offset, ModelFiles files, TranscriptionSettings settings, StageClock clock) {
        if (audio.sampleRate() != LogMel.SAMPLE_RATE)
            throw new IllegalArgumentException("audio at " + audio.sampleRate() + " Hz, Whisper hears " + LogMel.SAMPLE_RATE);
        Transcript t;
        try (Whisper whisper = clock.time(Stage.LOAD_WHISPER, () -> Whisper.load(files.model()))) {
            WhisperTokenizer tokenizer = WhisperTokenizers.forModel(whisper, files.tokenizer(), files.model(), caller);
            TranscribeOptions options = options(settings, tokenizer, files);
            Tensor mel = clock.time(Stage.MEL, () -> LogMel.forTranscription(audio.samples(), whisper.melFilters()));
            int frames = Transcriber.contentFrames(mel);
            clock.start(Stage.TRANSCRIBE);
            listener.transcriptionStarted(audio.seconds(), frames, whisper.description());
            t = Transcriber.of(whisper, tokenizer).transcribe(mel, options, events(offset));
            listener.window(frames, frames);
            clock.finish(Stage.TRANSCRIBE);
        }
        return new Result(offset > 0 ? shift(t, offset) : t, audio.seconds(), clock.times());
    }

    /** {@code settings} as the transcriber's options; an English-only model transcribes English whatever was asked. */
    private TranscribeOptions options(TranscriptionSettings settings, WhisperTokenizer tokenizer, ModelFiles files) {
        String lang = settings.language();
        if (lang != null && WhisperLanguages.toCode(lang) == null)
            throw new SynesthesiaException(caller + ": unknown language '" + lang + "'");
        if (!tokenizer.multilingual() && lang != null && !"en".equals(WhisperLanguages.toCode(lang))) {
            listener.note(files.model() + " is an English-only model; transcribing as English");
            lang = "en";
        }
        return settings.options(lang);
    }

    /** The transcriber's events passed on with the source's timestamps. */
    private Transcriber.Listener events(double offset) {
        return new Transcriber.Listener() {
            @Override
            public void languageDetected(LanguageDetection d) {
                listener.languageDetected(d);
            }

            @Override
            public void window(int seek, int contentFrames) {
                listener.window(seek, contentFrames);
            }

            @Override
            public void fallback(int seek, DecodingResult r) {
                listener.fallback(seek / 100.0 + offset, r);
            }

            @Override
            public void segment(Segment s) {
                listener.segment(shift(s, offset));
            }
        };
    }

    /** The transcript as {@code transcribe} prints it (one line per segment), on one line. */
    public static String oneLine(Transcript t) {
        return TranscriptWriter.format(t, TranscriptWriter.Format.TXT).lines().map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.joining(" "));
    }

    /** The transcript with every segment moved {@code offset} seconds later. */
    static Transcript shift(Transcript t, double offset) {
        List<Segment> moved = new ArrayList<>();
        for (Segment s : t.segments()) moved.add(shift(s, offset));
        return new Transcript(t.text(), moved, t.language());
    }

    private static Segment shift(Segment s, double offset) {
        return offset == 0 ? s : new Segment(s.id(), s.seek(), s.start() + offset, s.end() + offset, s.text(), s.tokens(),
                s.temperature(), s.avgLogprob(), s.compressionRatio(), s.noSpeechProb());
    }
}
