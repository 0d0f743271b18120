package org.synesthesia.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Times the stages of one run: tells the listener when each starts and finishes, and keeps the times in order. */
final class StageClock {
    private final PipelineListener listener;
    private final List<StageTime> times = new ArrayList<>();
    private Stage running;
    private long started;

    StageClock(PipelineListener listener) {
        this.listener = listener;
    }

    void start(Stage stage) {
        startAt(stage, System.nanoTime());
    }

    /** Starts {@code stage} at {@code nanos} ({@link System#nanoTime()}), e.g. where the previous one ended. */
    void startAt(Stage stage, long nanos) {
        running = stage;
        started = nanos;
        listener.stageStarted(stage);
    }

    double finish(Stage stage) {
        return finishAt(stage, System.nanoTime());
    }

    /** Ends {@code stage}, which must be the running one, at {@code nanos}; returns its seconds. */
    double finishAt(Stage stage, long nanos) {
        if (stage != running) throw new IllegalStateException("stage " + stage + " finished while " + running + " runs");
        double s = (nanos - started) / 1e9;
        running = null;
        times.add(new StageTime(stage, s));
        listener.stageFinished(stage, s);
        org.synesthesia.util.Timings.stage(stage.label(), s);
        return s;
    }

    /** Runs {@code body} as {@code stage}. */
    <T> T time(Stage stage, Supplier<T> body) {
        start(stage);
        T v = body.get();
        finish(stage);
        return v;
    }

    boolean running(Stage stage) {
        return running == stage;
    }

    List<StageTime> times() {
        return List.copyOf(times);
    }
}
