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
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Text to sound with AudioLDM: loads the checkpoint (and a separate CLAP file if given), embeds the prompt and the
 * negative prompt ("" by default) with CLAP, runs {@link AudioLdm#generate}, and returns the 16 kHz waveform cut to
 * the generated length. Stages: {@link Stage#LOAD_AUDIOLDM}, {@link Stage#TEXT_ENCODE}, {@link Stage#DENOISE} (one
 * {@link PipelineListener#step} per DDIM step), then decoding and vocoding as {@link Stage#VOCODE}.
 */
public final class TextToSound extends Job {
    /**
     * One prompt's sound.
     *
     * @param audio    16 kHz mono, {@code duration.samples()} long
     * @param mel      the decoded log-mel [1, 1, frames, 64]
     * @param duration the length asked for and generated
     */
    public record Result(String prompt, SoundSettings settings, AudioLdmDuration duration, Audio audio, Tensor mel, Path model,
                         List<StageTime> times) {
        /** The sidecar text: the prompt, the negative prompt, one line of settings. */
        public String parameters() {
            return prompt + "\nNegative prompt: " + settings.negativePrompt() + "\n" + String.format(Locale.ROOT,
                    "Steps: %d, Sampler: ddim, Eta: %s, CFG scale: %s, Seed: %d, Duration: %s s, Sample rate: %d, Model: %s", settings.steps(),
                    settings.eta(), settings.guidance(), settings.seed(), duration.seconds(), audio.sampleRate(), model.getFileName());
        }
    }

    /** {@code caller}: the name one-line errors are about (a command's, e.g. {@code audio}). */
    public TextToSound(String caller, PipelineListener listener) {
        super(caller, listener);
    }

    /** The sound of each of {@code prompts} (same settings and seed), from the checkpoint {@code model} (CLAP from {@code clap} if not null). */
    public List<Result> generate(Path model, Path clap, Path tokenizerDir, List<String> prompts, SoundSettings s) {
        if (prompts.isEmpty()) throw new SynesthesiaException(caller + ": no prompt");
        AudioLdmDuration duration = AudioLdmDuration.of(s.seconds());
        if (duration.rounded()) listener.note(duration.note());
        StageClock clock = new StageClock(listener);
        clock.start(Stage.LOAD_AUDIOLDM);
        RobertaTokenizer tokenizer = RobertaTokenizer.fromFolder(tokenizerDir);
        try (AudioLdm m = AudioLdm.load(model, clap)) {
            m.clap();
            clock.finish(Stage.LOAD_AUDIOLDM);
            listener.note(m.describe());
            List<Result> out = new java.util.ArrayList<>();
            for (String prompt : prompts) out.add(generate(m, model, tokenizer, prompt, s, duration, clock));
            return out;
        }
    }

    private Result generate(AudioLdm m, Path model, RobertaTokenizer tokenizer, String prompt, SoundSettings s, AudioLdmDuration duration,
                            StageClock clock) {
        clock.start(Stage.TEXT_ENCODE);
        Tensor both = m.clap().embed(tokenizer, List.of(prompt, s.negativePrompt())); // [2, 512]
        int d = both.dim(1);
        Tensor cond = both.slice(0, 0, 1).contiguous(), uncond = both.slice(0, 1, 2).contiguous();
        clock.finish(Stage.TEXT_ENCODE);
        listener.note("prompt: " + prompt + (s.negativePrompt().isEmpty() ? "" : "; negative: " + s.negativePrompt()) + " (CLAP " + d + "-d)");
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
        return new Result(prompt, s, duration, new Audio(cut, AudioLdm.SAMPLE_RATE), r.mel(), model, clock.times());
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

    /**
     * The RoBERTa tokenizer folder for {@code model}: {@code given} if not null, else a {@code tokenizer/} or
     * {@code roberta-base/} folder holding vocab.json beside the checkpoint or the CLAP file.
     */
    public static Path tokenizerFolder(Path given, Path model, Path clap) {
        if (given != null) {
            if (!Files.isRegularFile(given.resolve("vocab.json")))
                throw SynesthesiaException.inFile(given, "not a RoBERTa tokenizer folder (no vocab.json and merges.txt)");
            return given;
        }
        for (Path file : new Path[] {model, clap}) {
            if (file == null) continue;
            Path dir = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
            for (String name : new String[] {"tokenizer", "roberta-base"})
                if (dir != null && Files.isRegularFile(dir.resolve(name).resolve("vocab.json"))) return dir.resolve(name);
        }
        throw SynesthesiaException.inFile(model, "no RoBERTa tokenizer beside it (a tokenizer/ or roberta-base/ folder with vocab.json and merges.txt); give --tokenizer DIR");
    }

    /** {@code dir/sound.wav} -> {@code dir/sound.txt}. */
    public static Path sidecar(Path wav) {
        String name = wav.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return wav.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".txt");
    }
}
