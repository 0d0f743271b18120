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
 * <p>Bad files give one-line {@link org.synesthesia.util.SynesthesiaException}s; settings that break a record's rules
 * give {@link java.lang.IllegalArgumentException} (the command line checks them first, naming its options).
 */
package org.synesthesia.pipeline;
