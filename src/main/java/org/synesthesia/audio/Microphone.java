package org.synesthesia.audio;

import java.util.function.DoubleConsumer;

/**
 * A live audio input. {@link LineMicrophone#open()} gives the system's default capture line; tests build a
 * {@link LineMicrophone} over a fake {@link javax.sound.sampled.TargetDataLine}.
 */
public interface Microphone extends AutoCloseable {
    /** Default recording length of the {@code record} command, in seconds. */
    double DEFAULT_SECONDS = 10;

    /**
     * Records {@code seconds} of audio and returns it as 16 kHz mono; {@code progress} receives the seconds
     * captured so far (from the recording thread). Failures are one-line {@link org.synesthesia.util.SynesthesiaException}s.
     */
    Audio record(double seconds, DoubleConsumer progress);

    /** What is being recorded from, e.g. the mixer line and its format. */
    String description();

    @Override
    void close();
}
