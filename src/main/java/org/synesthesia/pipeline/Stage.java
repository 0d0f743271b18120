package org.synesthesia.pipeline;

/** The timed stages of the pipelines, in the order speech to image runs them, then text to sound's and image to sound's own; {@link #label()} is the printed name. */
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
    VAE_DECODE("vae decode"),
    LOAD_AUDIOLDM("load audioldm"),
    /** CLAP's embeddings of the prompt and the negative prompt. */
    TEXT_ENCODE("clap text encoder"),
    VOCODE("vocoder"),
    /** Image to sound: decoding (or downloading) the image. */
    READ_IMAGE("read image"),
    LOAD_CLIP_VISION("load clip vision + translator"),
    /** Preprocessing, the CLIP image encoder and the translator. */
    IMAGE_ENCODE("clip image encoder + translator");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
