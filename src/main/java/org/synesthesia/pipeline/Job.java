package org.synesthesia.pipeline;

/**
 * What every pipeline job holds: the name its one-line errors and notes are about (a command's, e.g.
 * {@code speak}) and the listener its progress goes to ({@link PipelineListener#NONE} when null).
 */
abstract class Job {
    final String caller;
    final PipelineListener listener;

    Job(String caller, PipelineListener listener) {
        this.caller = caller;
        this.listener = listener == null ? PipelineListener.NONE : listener;
    }
}
