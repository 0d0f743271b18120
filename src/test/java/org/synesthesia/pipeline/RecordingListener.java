package org.synesthesia.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.whisper.Segment;

/** Keeps every pipeline event as one line ("start MEL", "finish MEL", "step 1/2", "note ...") for order checks. */
final class RecordingListener implements PipelineListener {
    final List<String> events = new ArrayList<>();
    final List<Tensor> previews = new ArrayList<>();
    final List<Segment> segments = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    @Override
    public void note(String message) {
        notes.add(message);
        events.add("note " + message);
    }

    @Override
    public void stageStarted(Stage stage) {
        events.add("start " + stage);
    }

    @Override
    public void stageFinished(Stage stage, double seconds) {
        if (!(seconds >= 0)) throw new AssertionError(stage + " took " + seconds + " s");
        events.add("finish " + stage);
    }

    @Override
    public void transcriptionStarted(double audioSeconds, int contentFrames, String model) {
        events.add("transcription " + contentFrames);
    }

    @Override
    public void window(int seek, int contentFrames) {
        events.add("window " + seek + "/" + contentFrames);
    }

    @Override
    public void segment(Segment s) {
        segments.add(s);
    }

    @Override
    public void step(int step, int total, double seconds, Tensor preview) {
        if (!(seconds >= 0)) throw new AssertionError("step " + step + " took " + seconds + " s");
        events.add("step " + step + "/" + total);
        if (preview != null) previews.add(preview);
    }

    /** The stage events only, in order. */
    List<String> stages() {
        return events.stream().filter(e -> e.startsWith("start ") || e.startsWith("finish ")).toList();
    }

    /** The step events only, in order. */
    List<String> steps() {
        return events.stream().filter(e -> e.startsWith("step ")).toList();
    }
}
