package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.synesthesia.image.PngWriter;
import org.synesthesia.pipeline.GenerationSettings;
import org.synesthesia.pipeline.ModelFiles;
import org.synesthesia.pipeline.PngFiles;
import org.synesthesia.pipeline.TextToImage;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia generate "PROMPT" --model PATH ...}: Stable Diffusion 1.x/2.x text-to-image to PNG files
 * carrying their generation parameters in a {@code parameters} tEXt chunk. Parses and checks the options into
 * {@link GenerationSettings} and runs {@link TextToImage}; the steps' progress goes to stderr, previews to
 * {@code OUT.preview.png}.
 */
public final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "Stable Diffusion text-to-image (PNG with its parameters)";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia generate "PROMPT" --model PATH [--negative TEXT] [--steps 50]
                         [--scheduler pndm|ddim|euler|euler-a|dpm++] [--guidance 7.5] [--seed N]
                         [--width 512 --height 512] [--batch N] [--latents FILE.safetensors] [--out image.png]
                         [--preview-every N] [--taesd PATH] [--tokenizer PATH] [--prediction-type epsilon|v_prediction]

                Generates images from PROMPT (may be empty) with classifier-free guidance.
                  --model PATH       a diffusers folder (model_index.json, tokenizer/ inside), a single-file checkpoint,
                                     or a converted .gguf (configs, scheduler and tokenizer inside)
                  --tokenizer PATH   CLIP tokenizer folder (vocab.json + merges.txt) or openai's bpe .gz; default: the
                                     folder's or converted file's own, beside a single file tokenizer/, else
                                     $SYNESTHESIA_TOKENIZERS
                  --negative TEXT    negative prompt (default empty)
                  --steps N          denoising steps (default 50)
                  --scheduler NAME   default: the folder's scheduler (single file: pndm)
                  --guidance G       guidance scale (default 7.5)
                  --seed N           seed of torch.randn on CPU for the initial latents (default: random, recorded)
                  --width/--height   image size, multiples of 8 (default 512)
                  --batch N          N images of the prompt: image.png, image-1.png, ... (default 1)
                  --latents FILE     initial latents [N, 4, H/8, W/8] from a safetensors file (first tensor, or
                                     'initial_latents' / 'latents'); sets the batch and size
                  --out PATH         output PNG (default image.png)
                  --preview-every N  every N steps decode the current x0 estimate with TAESD to OUT.preview.png
                  --taesd PATH       TAESD decoder weights for previews (default: a fast preview needs it)
                  --prediction-type  for single-file checkpoints: epsilon (default) or v_prediction (SD 2.x 768-v)""";
    }

    @Override
    public int run(Args args) {
        String prompt = args.positional(0, "prompt");
        Path model = Path.of(args.require("model"));
        GenerationArgs options = GenerationArgs.read(args, true);
        Path out = Path.of(args.get("out", "image.png"));
        Path tokenizer = args.path("tokenizer");
        args.finish();
        if (args.positionals().size() > 1)
            throw new SynesthesiaException("generate: one prompt expected, got " + args.positionals().size() + " (quote it; see synesthesia generate --help)");
        GenerationSettings settings = options.settings("generate");
        if (!PngFiles.isPng(out)) throw new SynesthesiaException("generate: --out must end in .png, not " + out);
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such model file or folder");

        TextToImage pipeline = new TextToImage("generate", new GenerateListener(settings.steps(), PngFiles.sibling(out, ".preview.png")));
        pipeline.write(pipeline.generate(new ModelFiles(model, tokenizer), prompt, settings), out);
        return 0;
    }

    /** "generate: " notes, the steps' progress line, and each preview written to OUT.preview.png. */
    private static final class GenerateListener extends StderrListener {
        private final Path preview;

        GenerateListener(int steps, Path preview) {
            super("generate", steps);
            this.preview = preview;
        }

        @Override
        public void step(int step, int total, double seconds, Tensor image) {
            super.step(step, total, seconds, image);
            if (image != null) PngWriter.write(preview, image, PngWriter.Range.ZERO_TO_ONE, Map.of());
        }
    }
}
