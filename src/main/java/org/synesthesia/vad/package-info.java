/**
 * Voice-activity detection: {@link org.synesthesia.vad.SileroVad} is the Silero VAD v6 network (16 kHz branch, the
 * official trained weights) run window by window as the official ONNX wrapper drives it, and
 * {@link org.synesthesia.vad.SpeechSegmenter} turns its per-window probabilities into speech segments as the
 * reference {@code get_speech_timestamps} does, with the parameters of {@link org.synesthesia.vad.VadOptions}.
 */
package org.synesthesia.vad;
