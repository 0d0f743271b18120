package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.ImagePreprocess;
import org.synesthesia.pipeline.ImageToSound;
import org.synesthesia.pipeline.SoundJob;
import org.synesthesia.pipeline.SoundSettings;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia sonify IMAGE|URL --clip MODEL --translator T --audioldm MODEL --out sound.wav}: image to sound
 * ({@link ImageToSound}): CLIP's image embedding, mapped into CLAP's space by the translator, conditions AudioLDM in
 * place of CLAP's text embedding; the outputs are {@code audio}'s.
 */
public final class SonifyCommand implements Command {
    @Override
    public String name() {
        return "sonify";
    }

    @Override
    public String summary() {
        return "generate a sound from an image (CLIP -> translator -> AudioLDM)";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia sonify IMAGE|URL --clip MODEL --translator T --audioldm MODEL [--preprocess clip|seed]
                                          [--clap PATH] [--tokenizer DIR] [--negative TEXT] [--duration 10] [--steps 200]
                                          [--guidance 2.5] [--eta 1.0] [--seed N] [--timeout S] [--mel-png PATH] --out sound.wav

                The image (PNG, JPEG, BMP or GIF's first frame; a path or an http(s) URL) is preprocessed, CLIP's image
                encoder gives its embedding, the translator maps it to a unit 512-d vector in CLAP's space, and AudioLDM
                generates from that vector as `audio` does from CLAP's text embedding (the negative prompt's CLAP
                embedding stays the unconditional input). Writes OUT (16-bit mono WAV) and OUT's name with .txt (image,
                models, settings).
                  --clip MODEL       CLIP vision model: a transformers CLIPVisionModelWithProjection or CLIPModel (folder
                                     or file), openai's own .pt (e.g. ViT-B-32.pt, read as data), or a converted
                                     clip-vision file; a preprocessor_config.json in or beside it sets the preprocessing
                  --translator T     the CLIP-to-CLAP translator (the original scripts' .pth, or train-translator's
                                     .safetensors)
                  --audioldm MODEL   an AudioLDM checkpoint, pipeline folder or converted file (as audio's --model)
                  --preprocess P     clip: CLIPImageProcessor (shortest side 224 bicubic, centre crop, CLIP mean/std;
                                     default); seed: the original work's (224x224 bilinear, ImageNet mean/std), which its
                                     trained translators saw
                  --timeout S        for a URL: seconds to connect and to read (default 10 and 30)
                """ + SoundArgs.HELP.indent(2).stripTrailing();
    }

    @Override
    public int run(Args args) {
        String image = args.positional(0, "image path or URL");
        Path clip = Path.of(args.require("clip")), translator = Path.of(args.require("translator"));
        SoundArgs sound = SoundArgs.read(args, "audioldm");
        ImagePreprocess preprocess = ImagePreprocess.parse(args.get("preprocess", "clip"));
        ImageInput.Options options = ImageInput.Options.defaults();
        if (args.has("timeout")) {
            double t = args.getDouble("timeout", 0);
            if (!(t > 0) || t > 3600) throw new SynesthesiaException("sonify: --timeout must be a number of seconds in (0, 3600], not " + args.get("timeout", ""));
            Duration d = Duration.ofMillis((long) (t * 1000));
            options = options.withTimeouts(d, d);
        }
        args.finish();
        if (args.positionals().size() > 1)
            throw new SynesthesiaException("sonify: one image expected, got " + args.positionals().size() + " (see synesthesia sonify --help)");
        SoundSettings settings = sound.check("sonify", args);
        if (!Files.exists(clip)) throw SynesthesiaException.inFile(clip, "no such CLIP model");
        if (!Files.exists(translator)) throw SynesthesiaException.inFile(translator, "no such translator file");
        if (!ImageInput.isUrl(image) && !Files.exists(Path.of(image))) throw SynesthesiaException.inFile(Path.of(image), "no such image");
        RobertaTokenizer tokenizer = sound.findTokenizer();
        try (ImageInput input = new ImageInput(options)) {
            ImageToSound pipeline = new ImageToSound("sonify", new StderrListener("sonify", settings.steps()), input);
            SoundJob.Result r = pipeline.generate(sound.model(), sound.clap(), tokenizer,
                    new ImageToSound.ImageSource(image, clip, translator, preprocess), settings);
            sound.write(pipeline, r);
        }
        return 0;
    }
}
