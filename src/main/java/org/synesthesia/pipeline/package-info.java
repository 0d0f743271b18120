/**
 * The jobs as a library, what the commands run minus argument parsing.
 *
 * <p>{@link org.synesthesia.pipeline.SpeechToImage} runs one {@link org.synesthesia.pipeline.SpeechToImage.Request}:
 * the speech from an {@link org.synesthesia.pipeline.AudioSource} (a file window or a microphone recording), its
 * transcript ({@link org.synesthesia.pipeline.Transcription}, Whisper freed before Stable Diffusion loads), the prompt
 * ({@link org.synesthesia.pipeline.PromptCleaner}), the image ({@link org.synesthesia.pipeline.TextToImage}) and its
 * files. Settings are records ({@link org.synesthesia.pipeline.TranscriptionSettings},
 * {@link org.synesthesia.pipeline.GenerationSettings}, {@link org.synesthesia.pipeline.ModelFiles}); progress goes to a
 * {@link org.synesthesia.pipeline.PipelineListener} as {@link org.synesthesia.pipeline.Stage} starts and finishes
 * with their times, denoising steps with optional TAESD previews, and transcription windows and segments; results are
 * records carrying every {@link org.synesthesia.pipeline.StageTime}.
 *
 * <p>{@link org.synesthesia.pipeline.EmbedPairs} makes the translator's training pairs from a dataset file
 * ({@link org.synesthesia.pipeline.EmbedSettings}): the CLIP side of each row from a
 * {@link org.synesthesia.pipeline.ClipEmbedder} (captions: {@link org.synesthesia.pipeline.ClipTextEmbedder}; images:
 * {@link org.synesthesia.pipeline.ClipImageEmbedder}), the CLAP side from the caption, written as resumable shards.
 *
 * <p>Bad files give one-line {@link org.synesthesia.util.SynesthesiaException}s; settings that break a record's rules
 * give {@link java.lang.IllegalArgumentException} (the command line checks them first, naming its options).
 */
package org.synesthesia.pipeline;
