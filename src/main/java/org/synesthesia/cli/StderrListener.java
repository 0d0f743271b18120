package org.synesthesia.cli;

import org.synesthesia.pipeline.PipelineListener;
import org.synesthesia.pipeline.Stage;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;

/**
 * A command's view of a pipeline run on stderr: notes as {@code COMMAND: message}, and a progress line (step, rate,
 * time left) over the recording's seconds and over the denoising steps. {@code --quiet} silences {@link Progress}.
 */
class StderrListener implements PipelineListener {
    final String command;
    final int steps;
    Progress progress;
    private long recorded;

    /** {@code steps}: the denoising steps the progress line counts (0 when the command runs none). */
    StderrListener(String command, int steps) {
        this.command = command;
        this.steps = steps;
    }

    @Override
    public void note(String message) {
        Progress.info(command + ": " + message);
    }

    @Override
    public void stageStarted(Stage stage) {
        if (stage == Stage.DENOISE) progress = Progress.start(command, steps, "steps");
    }

    @Override
    public void recording(double seconds, double total) {
        long whole = (long) Math.ceil(total);
        if (progress == null) progress = Progress.start("recording", whole, "s");
        long done = seconds >= total ? whole : Math.min(whole, (long) Math.floor(seconds + 1e-9));
        if (done > recorded) {
            progress.advance(done - recorded);
            recorded = done;
        }
    }

    @Override
    public void step(int step, int total, double seconds, Tensor preview) {
        progress.step();
    }

    /** Ends the progress line of a recording, the denoising or a transcription. */
    @Override
    public void stageFinished(Stage stage, double seconds) {
        if ((stage == Stage.RECORD || stage == Stage.DENOISE || stage == Stage.TRANSCRIBE) && progress != null) {
            progress.close();
            progress = null;
        }
    }
}
