package org.synesthesia.pipeline;

/** How long one stage took, in seconds of wall time. */
public record StageTime(Stage stage, double seconds) {}
