package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.ClapTokenizers;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.image.MelImage;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.pipeline.PngFiles;
import org.synesthesia.pipeline.SoundJob;
import org.synesthesia.pipeline.SoundSettings;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * AudioLDM's options as {@code audio} and {@code sonify} read them (the model, CLAP and tokenizer, the sampling
 * settings and the outputs); {@link #check} validates them after {@link Args#finish()}.
 */
record SoundArgs(Path model, Path clap, Path tokenizer, String negative, double duration, int steps, double guidance, double eta,
                 long seed, Path melPng, Path out) {
    /** The option lines both commands' --help share. */
    static final String HELP = """
              --clap PATH        CLAP text weights, when the checkpoint has none (cond_stage_model.model.*)
              --tokenizer DIR    the roberta-base tokenizer folder (vocab.json, merges.txt); default: the one a
                                 converted file carries, else a tokenizer/ or roberta-base/ folder beside the
                                 checkpoint or the CLAP file
              --negative TEXT    the unconditional prompt (default: "")
              --duration S       seconds, rounded up to a multiple of 2.5 (default 10)
              --steps N          DDIM steps (default 200)
              --guidance G       classifier-free guidance scale (default 2.5)
              --eta E            DDIM eta: 1 stochastic (default), 0 deterministic
              --seed N           torch.manual_seed for the initial latent (default: random, recorded)
              --mel-png PATH     also write the generated log-mel as a PNG (viridis, time left to right, low bins at the bottom)
              --out PATH         the sound, .wav""";

    /** Reads the options; {@code modelOption} names the AudioLDM model's option (--model or --audioldm). A missing --seed draws one. */
    static SoundArgs read(Args a, String modelOption) {
        Path model = Path.of(a.require(modelOption));
        Path clap = a.path("clap"), tokenizer = a.path("tokenizer");
        String negative = a.get("negative", "");
        double duration = a.getDouble("duration", 10);
        int steps = a.getInt("steps", AudioLdm.DEFAULT_STEPS);
        double guidance = a.getDouble("guidance", AudioLdm.DEFAULT_GUIDANCE);
        double eta = a.getDouble("eta", AudioLdm.DEFAULT_ETA);
        long seed = a.has("seed") ? a.getLong("seed", 0) : GenerationSettings.randomSeed();
        Path melPng = a.path("mel-png");
        Path out = Path.of(a.require("out"));
        return new SoundArgs(model, clap, tokenizer, negative, duration, steps, guidance, eta, seed, melPng, out);
    }

    /** The settings, after checking the outputs and files; one-line errors name {@code command}. */
    SoundSettings check(String command, Args a) {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav")) throw new SynesthesiaException(command + ": --out must end in .wav, not " + out);
        if (melPng != null && !PngFiles.isPng(melPng)) throw new SynesthesiaException(command + ": --mel-png must end in .png, not " + melPng);
        if (!(duration > 0) || Double.isInfinite(duration))
            throw new SynesthesiaException(command + ": --duration must be a positive number of seconds, not " + a.get("duration", ""));
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such model file");
        if (clap != null && !Files.exists(clap)) throw SynesthesiaException.inFile(clap, "no such CLAP file");
        try {
            return new SoundSettings(negative, duration, steps, guidance, eta, seed);
        } catch (SynesthesiaException e) {
            throw new SynesthesiaException(command + ": " + e.getMessage());
        }
    }

    /** The RoBERTa tokenizer ({@link ClapTokenizers#find}). */
    RobertaTokenizer findTokenizer() {
        return ClapTokenizers.find(tokenizer, model, clap);
    }

    /** Writes the WAV and its sidecar, and with --mel-png the mel. */
    void write(SoundJob job, SoundJob.Result r) {
        job.write(r, out);
        if (melPng != null) {
            Tensor mel = r.mel(); // [1, 1, frames, 64] -> [64, frames]
            MelImage.writePng(melPng, mel.reshape(mel.dim(2), mel.dim(3)).permute(1, 0).contiguous());
        }
    }
}
