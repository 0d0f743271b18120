/**
 * Audio in, and the log-Mel front ends of whisper and the vocoders.
 *
 * <p>Reading: {@link org.synesthesia.audio.AudioFiles#read(java.nio.file.Path)} (WAV via
 * {@link org.synesthesia.audio.WavReader}, FLAC via {@link org.synesthesia.audio.FlacDecoder}, chosen by magic
 * bytes) gives mono {@link org.synesthesia.audio.Audio} at the file's rate; {@link org.synesthesia.audio.TimeWindow}
 * cuts {@code [from, to)} seconds; {@link org.synesthesia.audio.Resampler#to16k} converts to 16 kHz.
 * Live input: {@link org.synesthesia.audio.Microphone} / {@link org.synesthesia.audio.LineMicrophone}; output:
 * {@link org.synesthesia.audio.WavWriter}.
 *
 * <p>Whisper's input: {@link org.synesthesia.audio.LogMel#forTranscription} is the log-Mel of the whole recording
 * padded with 30 s of zeros ({@code [n_mels, samples/160 + 3000]}), and {@link org.synesthesia.audio.LogMel#window}
 * slices the 3000-frame window at {@code seek} exactly as whisper.transcribe does (zero-padded in the log-Mel
 * domain); {@link org.synesthesia.audio.LogMel#firstWindow} is the first window in one call.
 *
 * <p>Log-Mel spectrograms in general: {@link org.synesthesia.audio.MelSpectrogram} (the recipe as a record, with
 * whisper's, HiFi-GAN's and AudioLDM's presets; LogMel computes through its whisper preset) and
 * {@link org.synesthesia.audio.MelFilters} (librosa's Slaney filterbanks).
 * {@link org.synesthesia.image.MelImage} draws a spectrogram.
 */
package org.synesthesia.audio;

