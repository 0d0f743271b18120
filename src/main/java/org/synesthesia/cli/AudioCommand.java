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
                """ + SoundArgs.HELP.indent(2).stripTrailing();
    }

    @Override
    public int run(Args args) {
        String prompt = args.positional(0, "prompt");
        SoundArgs sound = SoundArgs.read(args, "model");
        args.finish();
        if (args.positionals().size() > 1)
            throw new SynesthesiaException("audio: one prompt expected, got " + args.positionals().size() + " (quote it; see synesthesia audio --help)");
        SoundSettings settings = sound.check("audio", args);
        RobertaTokenizer tokenizer = sound.findTokenizer();
        TextToSound pipeline = new TextToSound("audio", new StderrListener("audio", settings.steps()));
        SoundJob.Result r = pipeline.generate(sound.model(), sound.clap(), tokenizer, List.of(prompt), settings).get(0);
        sound.write(pipeline, r);
        return 0;
    }
}
