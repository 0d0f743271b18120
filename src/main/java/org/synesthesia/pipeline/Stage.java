package org.synesthesia.pipeline;

/** The timed stages of the pipelines, in the order speech to image runs them; {@link #label()} is the printed name. */
public enum Stage {
    RECORD("record"),
    READ_AUDIO("read audio"),
    LOAD_WHISPER("load whisper"),
    MEL("mel"),
    TRANSCRIBE("transcription (encoder + decoding)"),
    LOAD_SD("load stable diffusion"),
    LOAD_TAESD("load taesd"),
    /** The text encoder and every denoising step. */
    DENOISE("denoising"),
    VAE_DECODE("vae decode");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
