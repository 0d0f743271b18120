package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.synesthesia.audioldm.ClapTokenizers;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.image.MelImage;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.pipeline.PngFiles;
import org.synesthesia.pipeline.SoundSettings;
import org.synesthesia.pipeline.SoundJob;
import org.synesthesia.pipeline.TextToSound;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia audio "PROMPT" --model PATH --out sound.wav}: AudioLDM text to sound ({@link TextToSound}),
 * a 16-bit 16 kHz WAV with its settings in a {@code .txt} beside it, optionally the log-mel as a PNG.
 */
public final class AudioCommand implements Command {
    @Override
    public String name() {
        return "audio";
    }

    @Override
    public String summary() {
        return "generate a sound from a text prompt with AudioLDM";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia audio "PROMPT" --model PATH [--clap PATH] [--tokenizer DIR] [--negative TEXT]
                                         [--duration 10] [--steps 200] [--guidance 2.5] [--eta 1.0] [--seed N]
                                         [--mel-png PATH] --out sound.wav

                AudioLDM's generate_sample: CLAP embeds PROMPT (and the negative prompt, "" by default, as the
                unconditional input), DDIM with classifier-free guidance denoises a latent of DURATION, the mel VAE
                decodes it and the HiFi-GAN vocoder makes the 16 kHz waveform. Writes OUT (16-bit mono WAV) and OUT's
                name with .txt (prompt and settings).
                  --model PATH       an AudioLDM checkpoint (.ckpt state dict or .safetensors of the same names)
                                     or a diffusers AudioLDMPipeline folder
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
    }

    @Override
    public int run(Args args) {
        String prompt = args.positional(0, "prompt");
        Path model = Path.of(args.require("model"));
        Path clap = args.path("clap");
        Path tokenizerGiven = args.path("tokenizer");
        String negative = args.get("negative", "");
        double duration = args.getDouble("duration", 10);
        int steps = args.getInt("steps", org.synesthesia.audioldm.AudioLdm.DEFAULT_STEPS);
        double guidance = args.getDouble("guidance", org.synesthesia.audioldm.AudioLdm.DEFAULT_GUIDANCE);
        double eta = args.getDouble("eta", org.synesthesia.audioldm.AudioLdm.DEFAULT_ETA);
        long seed = args.has("seed") ? args.getLong("seed", 0) : GenerationSettings.randomSeed();
        Path melPng = args.path("mel-png");
        Path out = Path.of(args.require("out"));
        args.finish();
        if (args.positionals().size() > 1)
            throw new SynesthesiaException("audio: one prompt expected, got " + args.positionals().size() + " (quote it; see synesthesia audio --help)");
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav")) throw new SynesthesiaException("audio: --out must end in .wav, not " + out);
        if (melPng != null && !PngFiles.isPng(melPng)) throw new SynesthesiaException("audio: --mel-png must end in .png, not " + melPng);
        if (!(duration > 0) || Double.isInfinite(duration)) throw new SynesthesiaException("audio: --duration must be a positive number of seconds, not " + args.get("duration", ""));
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such model file");
        if (clap != null && !Files.exists(clap)) throw SynesthesiaException.inFile(clap, "no such CLAP file");
        RobertaTokenizer tokenizer = ClapTokenizers.find(tokenizerGiven, model, clap);
        SoundSettings settings;
        try {
            settings = new SoundSettings(negative, duration, steps, guidance, eta, seed);
        } catch (SynesthesiaException e) {
            throw new SynesthesiaException("audio: " + e.getMessage());
        }
        TextToSound pipeline = new TextToSound("audio", new StderrListener("audio", steps));
        SoundJob.Result r = pipeline.generate(model, clap, tokenizer, List.of(prompt), settings).get(0);
        pipeline.write(r, out);
        if (melPng != null) {
            Tensor mel = r.mel(); // [1, 1, frames, 64] -> [64, frames]
            MelImage.writePng(melPng, mel.reshape(mel.dim(2), mel.dim(3)).permute(1, 0).contiguous());
        }
        return 0;
    }
}
