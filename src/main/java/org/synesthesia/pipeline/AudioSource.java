package org.synesthesia.pipeline;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.LineMicrophone;
import org.synesthesia.audio.Microphone;
import org.synesthesia.audio.Resampler;
import org.synesthesia.audio.TimeWindow;

/** Where the speech comes from: a window of an audio file, or a recording from a microphone line. */
public sealed interface AudioSource {
    /** The audio, mono at 16 kHz. */
    Audio read16k(PipelineListener listener);

    /** The stage that reads it. */
    Stage stage();

    /** Seconds from the start of the source to the first sample read (timestamps of the whole file). */
    default double offset() {
        return 0;
    }

    /** {@code [window.from, window.to)} seconds of a WAV or FLAC file (any rate, mixed to mono). */
    record FileWindow(Path file, TimeWindow window) implements AudioSource {
        public FileWindow {
            Objects.requireNonNull(file, "file");
            if (window == null) window = TimeWindow.ALL;
        }

        @Override
        public Audio read16k(PipelineListener listener) {
            return Resampler.to16k(AudioFiles.read(file, window));
        }

        @Override
        public Stage stage() {
            return Stage.READ_AUDIO;
        }

        @Override
        public double offset() {
            return window.from();
        }
    }

    /** {@code seconds} from the first microphone line {@code lines} opens (the system's: {@code AudioSystem::getTargetDataLine}). */
    record Recording(double seconds, LineMicrophone.LineSource lines) implements AudioSource {
        public Recording {
            if (!(seconds > 0)) throw new IllegalArgumentException("recording seconds must be positive, not " + seconds);
            Objects.requireNonNull(lines, "lines");
        }

        @Override
        public Audio read16k(PipelineListener listener) {
            try (Microphone mic = LineMicrophone.open(lines)) {
                listener.note(String.format(Locale.ROOT, "recording %.1f s from %s", seconds, mic.description()));
                return Resampler.to16k(mic.record(seconds, s -> listener.recording(s, seconds)));
            }
        }

        @Override
        public Stage stage() {
            return Stage.RECORD;
        }
    }
}
