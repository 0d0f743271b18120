package org.synesthesia.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The one AudioLDM pipeline behind {@link TextToSound} and {@link ImageToSound}: given the 512-d conditioning
 * (CLAP of a prompt, or the translator's map of a CLIP image embedding), the unconditional input CLAP(negative
 * prompt, "" by default), {@link AudioLdm#generate} (DDIM with guidance over the duration's latent, mel VAE,
 * vocoder) and the 16 kHz waveform cut to the generated length. Only where the conditioning comes from differs.
 * Stages: {@link Stage#LOAD_AUDIOLDM}, the conditioning's own, {@link Stage#DENOISE} (one
 * {@link PipelineListener#step} per DDIM step), then decoding and vocoding as {@link Stage#VOCODE}.
 */
public abstract class SoundJob extends Job {
    /**
     * One sound.
     *
     * @param source   what it was made from, as the sidecar's first lines (the prompt; or the image, translator, preprocessing)
     * @param audio    16 kHz mono, {@code duration.samples()} long
     * @param mel      the decoded log-mel [1, 1, frames, 64]
     * @param duration the length asked for and generated
     */
    public record Result(String source, SoundSettings settings, AudioLdmDuration duration, Audio audio, Tensor mel, Path model,
                         List<StageTime> times) {
        /** The sidecar text: the source lines, the negative prompt, one line of settings. */
        public String parameters() {
            return source + "\nNegative prompt: " + settings.negativePrompt() + "\n" + String.format(Locale.ROOT,
                    "Steps: %d, Sampler: ddim, Eta: %s, CFG scale: %s, Seed: %d, Duration: %s s, Sample rate: %d, Model: %s", settings.steps(),
                    settings.eta(), settings.guidance(), settings.seed(), duration.seconds(), audio.sampleRate(), model.getFileName());
        }
    }

    SoundJob(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** Loads the checkpoint (CLAP from {@code clap} if not null) and checks it has the CLAP text branch the unconditional input needs. */
    AudioLdm load(Path model, Path clap, StageClock clock) {
        clock.start(Stage.LOAD_AUDIOLDM);
        AudioLdm m = AudioLdm.load(model, clap);
        try {
            m.clap();
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        clock.finish(Stage.LOAD_AUDIOLDM);
        listener.note(m.describe());
        return m;
    }

    /** The sound of conditioning {@code cond} [1, D] against the unconditional input {@code uncond} [1, D]; {@code source} heads the sidecar. */
    Result generate(AudioLdm m, Path model, Tensor cond, Tensor uncond, String source, SoundSettings s, AudioLdmDuration duration,
                    StageClock clock) {
        if (cond.dim(cond.rank() - 1) != uncond.dim(uncond.rank() - 1))
            throw new SynesthesiaException(caller + ": the conditioning is " + cond.dim(cond.rank() - 1) + "-d but the model's CLAP embedding is "
                    + uncond.dim(uncond.rank() - 1) + "-d");
        clock.start(Stage.DENOISE);
        long[] last = {System.nanoTime()};
        AudioLdm.Result r = m.generate(cond, uncond, s.steps(), s.guidance(), s.eta(), s.seed(), duration, (k, total, t, cfg, st) -> {
            long now = System.nanoTime();
            listener.step(k + 1, total, (now - last[0]) / 1e9, null);
            last[0] = now;
        });
        clock.finish(Stage.DENOISE);
        clock.start(Stage.VOCODE);
        float[] wave = r.waveform();
        float[] cut = java.util.Arrays.copyOf(wave, Math.min(wave.length, duration.samples()));
        clock.finish(Stage.VOCODE);
        return new Result(source, s, duration, new Audio(cut, AudioLdm.SAMPLE_RATE), r.mel(), model, clock.times());
    }

    /** The duration asked for, with a note when it was rounded up. */
    AudioLdmDuration duration(SoundSettings s) {
        AudioLdmDuration duration = AudioLdmDuration.of(s.seconds());
        if (duration.rounded()) listener.note(duration.note());
        return duration;
    }

    /** Writes {@code r} as a 16-bit WAV at {@code out} and its parameters beside it ({@code out} with .txt), each atomically. */
    public void write(Result r, Path out) {
        WavWriter.write(out, r.audio(), WavWriter.Encoding.PCM16);
        Path txt = sidecar(out);
        try {
            AtomicFiles.write(txt, o -> o.write((r.parameters() + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(txt, "cannot write: " + e.getMessage());
        }
        listener.note(String.format(Locale.ROOT, "wrote %s (%.2f s at %d Hz) and %s", out, r.audio().seconds(), r.audio().sampleRate(), txt.getFileName()));
    }

    /** {@code dir/sound.wav} -> {@code dir/sound.txt}. */
    public static Path sidecar(Path wav) {
        String name = wav.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return wav.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".txt");
    }
}
