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
                         [--scheduler pndm|ddim|euler|euler-a|dpm++] [--guidance 7.5] [--eta 0] [--seed N]
                         [--width 512 --height 512] [--batch N] [--latents FILE.safetensors] [--out image.png]
                         [--image IN.png --strength 0.8] [--preview-every N] [--taesd PATH] [--tokenizer PATH]
                         [--prediction-type epsilon|v_prediction]

                Generates images from PROMPT (may be empty, or given as --prompt/-p) with classifier-free guidance.
                sd-cli's spellings work too: -p -n -s -o -H -W -m -i, --cfg-scale, --sampling-method, euler_a, dpm++2m.
                  --model PATH       a diffusers folder (model_index.json, tokenizer/ inside), a single-file checkpoint,
                                     or a converted .gguf (configs, scheduler and tokenizer inside)
                  --tokenizer PATH   CLIP tokenizer folder (vocab.json + merges.txt) or openai's bpe .gz; default: the
                                     folder's or converted file's own, beside a single file tokenizer/, else
                                     $SYNESTHESIA_TOKENIZERS
                  --negative TEXT    negative prompt (default empty)
                  --steps N          denoising steps (default 50)
                  --scheduler NAME   default: the folder's scheduler (single file: pndm)
                  --guidance G       guidance scale (default 7.5)
                  --eta E            DDIM's noise weight, with --scheduler ddim (default 0: deterministic)
                  --seed N           seed of torch.randn on CPU for the initial latents (default: random, recorded)
                  --width/--height   image size, multiples of 8 (default 512)
                  --batch N          N images of the prompt: image.png, image-1.png, ... (default 1)
                  --latents FILE     initial latents [N, 4, H/8, W/8] from a safetensors file (first tensor, or
                                     'initial_latents' / 'latents'); sets the batch and size
                  --out PATH         output PNG (default image.png)
                  --image PATH       img2img: start from this PNG/JPEG (resized to --width/--height, default its own
                                     size rounded down to multiples of 8) instead of pure noise
                  --strength S       img2img: share of the schedule run over the image, 0..1 (default 0.8; 0 keeps
                                     the image, 1 ignores it)
                  --preview-every N  every N steps write the current x0 estimate to OUT.preview.png (removed when the
                                     image is written): decoded with TAESD when --taesd is given, else a latent-to-RGB
                                     projection (blurry, 1/8 size, no extra weights)
                  --taesd PATH       TAESD decoder weights for sharper previews (no default; optional)
                  --prediction-type  for single-file checkpoints: epsilon (default) or v_prediction (SD 2.x 768-v)""";
    }

    @Override
    public java.util.Map<String, String> aliases() {
        return GenerationArgs.SD_CLI_ALIASES;
    }

    @Override
    public int run(Args args) {
        String flagPrompt = args.get("prompt", null);
        String prompt = flagPrompt != null && args.positionals().isEmpty() ? flagPrompt : args.positional(0, "prompt");
        Path model = Path.of(args.require("model"));
        GenerationArgs options = GenerationArgs.read(args, true);
        Path out = Path.of(args.get("out", "image.png"));
        Path tokenizer = args.path("tokenizer");
        args.finish();
        if (args.positionals().size() + (flagPrompt == null ? 0 : 1) > 1)
            throw new SynesthesiaException("generate: one prompt expected, got " + args.positionals().size() + " (quote it; see synesthesia generate --help)");
        GenerationSettings settings = options.settings("generate");
        if (!PngFiles.isPng(out)) throw new SynesthesiaException("generate: --out must end in .png, not " + out);
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such model file or folder" + SpeakCommand.GET_MODELS_HINT);

        Path preview = PngFiles.sibling(out, ".preview.png");
        TextToImage pipeline = new TextToImage("generate", new GenerateListener(settings.steps(), preview));
        pipeline.write(pipeline.generate(new ModelFiles(model, tokenizer), prompt, settings), out);
        if (settings.previewEvery() > 0) {
            try {
                Files.deleteIfExists(preview);
            } catch (java.io.IOException e) {
                throw SynesthesiaException.inFile(preview, "cannot remove the preview (" + e.getMessage() + ")");
            }
        }
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
