/**
 * Neural vocoders: mel spectrogram to waveform. {@link org.synesthesia.vocoder.HifiGan} is the HiFi-GAN generator
 * (jik876/hifi-gan, AudioLDM's 16 kHz vocoder, diffusers' SpeechT5HifiGan) driven by a
 * {@link org.synesthesia.vocoder.HifiGanConfig}; {@link org.synesthesia.vocoder.HifiGanFamily} registers it.
 */
package org.synesthesia.vocoder;
