package org.synesthesia.pipeline;

import org.synesthesia.tensor.Tensor;
import org.synesthesia.whisper.DecodingResult;
import org.synesthesia.whisper.LanguageDetection;
import org.synesthesia.whisper.Segment;

/**
 * What the pipelines report as they go; every method does nothing unless overridden. Events come on the caller's
 * thread, in order: a stage starts, its own events come, it finishes with its wall time.
 */
public interface PipelineListener {
    PipelineListener NONE = new PipelineListener() {};

    /** A one-line fact: what was loaded, the transcript and the prompt, a setting adjusted, a file written. */
    default void note(String message) {}

    default void stageStarted(Stage stage) {}

    default void stageFinished(Stage stage, double seconds) {}

    /** {@code seconds} of a {@code total}-second recording are captured. */
    default void recording(double seconds, double total) {}

    /** Whisper ({@code model}, described) starts on {@code audioSeconds} of audio: {@code contentFrames} mel frames. */
    default void transcriptionStarted(double audioSeconds, int contentFrames, String model) {}

    /** The language was detected on the first 30 s. */
    default void languageDetected(LanguageDetection detection) {}

    /** The 30 s window at frame {@code seek} is decoded next; {@code seek == contentFrames} when all are done. */
    default void window(int seek, int contentFrames) {}

    /** The decode of the window {@code seconds} into the file failed the thresholds and is retried warmer. */
    default void fallback(double seconds, DecodingResult rejected) {}

    /** A transcribed segment, with the file's timestamps. */
    default void segment(Segment segment) {}

    /**
     * Denoising step {@code step} of {@code total} took {@code seconds} (the first one includes the text encoder);
     * {@code preview} is the step's x0 estimate of the first image decoded by TAESD ([1, 3, H, W] in [0, 1]) on preview
     * steps, else null.
     */
    default void step(int step, int total, double seconds, Tensor preview) {}
}
