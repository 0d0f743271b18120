package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.image.PngWriter;
import org.synesthesia.diffusion.scheduler.PredictionType;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.diffusion.StableDiffusionPipeline;
import org.synesthesia.diffusion.vae.Taesd;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia generate "PROMPT" --model PATH ...}: Stable Diffusion 1.x/2.x text-to-image to PNG files
 * carrying their generation parameters in a {@code parameters} tEXt chunk.
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
        String negative = args.get("negative", "");
        int steps = args.getInt("steps", 50);
        String schedName = args.get("scheduler", null);
        double guidance = args.getDouble("guidance", 7.5);
        boolean seedGiven = args.has("seed");
        long seed = seedGiven ? args.getLong("seed", 0) : (System.nanoTime() ^ System.currentTimeMillis()) & 0xffffffffL;
        boolean sizeGiven = args.has("width") || args.has("height");
        int width = args.getInt("width", 512), height = args.getInt("height", 512);
        int batch = args.getInt("batch", 1);
        Path latentsFile = args.path("latents");
        Path out = Path.of(args.get("out", "image.png"));
        int previewEvery = args.getInt("preview-every", 0);
        Path taesdPath = args.path("taesd");
        Path tokenizer = args.path("tokenizer");
        String pred = args.get("prediction-type", null);
        args.finish();
        if (args.positionals().size() > 1)
            throw new SynesthesiaException("generate: one prompt expected, got " + args.positionals().size() + " (quote it; see synesthesia generate --help)");
        PredictionType prediction = checkSettings("generate", steps, width, height, guidance, schedName, pred);
        if (batch < 1) throw new SynesthesiaException("generate: --batch must be at least 1, not " + batch);
        if (previewEvery < 0) throw new SynesthesiaException("generate: --preview-every must be at least 0, not " + previewEvery);
        if (previewEvery > 0 && taesdPath == null)
            throw new SynesthesiaException("generate: --preview-every needs --taesd PATH (TAESD decoder weights)");
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
            throw new SynesthesiaException("generate: --out must end in .png, not " + out);
        if (!Files.exists(model)) throw SynesthesiaException.inFile(model, "no such model file or folder");

        Tensor initial = latentsFile == null ? null : readLatents(latentsFile);

        try (StableDiffusionPipeline pipe = StableDiffusionPipeline.load(model, tokenizer, schedName, prediction);
             Taesd taesd = previewEvery > 0 ? Taesd.load(taesdPath) : null) {
            Progress.info("generate: " + pipe.describe());
            int f = pipe.vaeScaleFactor();
            if (initial != null) {
                int[] s = initial.shape();
                if (s.length != 4 || s[1] != pipe.unet().config().inChannels())
                    throw SynesthesiaException.inFile(latentsFile, "latents have shape " + java.util.Arrays.toString(s)
                            + ", expected [N, " + pipe.unet().config().inChannels() + ", h, w]");
                if (sizeGiven && (s[2] * f != height || s[3] * f != width))
                    throw SynesthesiaException.inFile(latentsFile, "latents " + s[2] + "x" + s[3] + " do not match --width "
                            + width + " --height " + height + " (VAE factor " + f + ")");
                if (args.has("batch") && s[0] != batch)
                    throw SynesthesiaException.inFile(latentsFile, "latents hold " + s[0] + " images but --batch is " + batch);
                batch = s[0];
                height = s[2] * f;
                width = s[3] * f;
            } else if (width % f != 0 || height % f != 0) {
                throw new SynesthesiaException("generate: size " + width + "x" + height + " is not a multiple of the VAE's factor " + f);
            }
            StableDiffusionPipeline.Request req;
            try {
                req = new StableDiffusionPipeline.Request(prompt, negative, steps, guidance, width, height, batch, seed,
                        initial == null ? null : initial.toArray());
                pipe.latentShape(req);
            } catch (IllegalArgumentException e) {
                throw new SynesthesiaException("generate: " + e.getMessage());
            }
            Path preview = sibling(out, ".preview.png");
            final int n = batch;
            StableDiffusionPipeline.Result r;
            try (Progress p = Progress.start("generate", steps, "steps")) {
                r = pipe.generate(req, (k, total, t, lat, x0) -> {
                    p.step();
                    if (taesd != null && (k % previewEvery == 0 || k == total)) {
                        Tensor src = x0 != null ? x0 : lat;
                        Tensor img = taesd.decode(src.slice(0, 0, 1).contiguous());
                        PngWriter.write(preview, img, PngWriter.Range.ZERO_TO_ONE, Map.of());
                    }
                });
            }
            String params = parameters(prompt, negative, steps, pipe.scheduler().name(), guidance, seed, width, height, model);
            for (int b = 0; b < n; b++) {
                Path file = b == 0 ? out : sibling(out, "-" + b + ".png");
                Tensor img = r.image().slice(0, b, b + 1).contiguous();
                Map<String, String> text = new LinkedHashMap<>();
                text.put("parameters", n == 1 ? params : params + ", batch index: " + b + " of " + n);
                text.put("Software", "synesthesia");
                PngWriter.write(file, img, PngWriter.Range.ZERO_TO_ONE, text);
                Progress.info("generate: wrote " + file);
            }
        }
        return 0;
    }

    /** Checks the settings shared with {@code speak}; returns the --prediction-type (null: the model's). */
    static PredictionType checkSettings(String command, int steps, int width, int height, double guidance, String schedName, String pred) {
        if (steps < 1) throw new SynesthesiaException(command + ": --steps must be at least 1, not " + steps);
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0)
            throw new SynesthesiaException(command + ": --width and --height must be positive multiples of 8, not " + width + "x" + height);
        if (!Double.isFinite(guidance)) throw new SynesthesiaException(command + ": --guidance must be a finite number");
        if (schedName != null && !Schedulers.NAMES.contains(schedName.toLowerCase(Locale.ROOT)))
            throw new SynesthesiaException(command + ": unknown scheduler '" + schedName + "' (choose one of " + String.join(", ", Schedulers.NAMES) + ")");
        PredictionType prediction = null;
        if (pred != null) {
            prediction = PredictionType.byName(pred.equals("v") ? "v_prediction" : pred);
            if (prediction == null) throw new SynesthesiaException(command + ": --prediction-type must be epsilon or v_prediction, not '" + pred + "'");
        }
        return prediction;
    }

    /** The PNG's {@code parameters} text: the prompt, then one line of settings. */
    static String parameters(String prompt, String negative, int steps, String scheduler, double guidance, long seed,
                             int width, int height, Path model) {
        return prompt + "\nNegative prompt: " + negative + "\n" + String.format(Locale.ROOT,
                "Steps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d, Model: %s", steps, scheduler,
                fmt(guidance), seed, width, height, model.getFileName());
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e9 ? String.valueOf((long) d) + ".0" : String.valueOf(d);
    }

    /** {@code dir/image.png} -> {@code dir/image<suffix>}. */
    static Path sibling(Path png, String suffix) {
        String name = png.getFileName().toString();
        String stem = name.substring(0, name.length() - ".png".length());
        return png.resolveSibling(stem + suffix);
    }

    static Tensor readLatents(Path file) {
        if (!Files.isRegularFile(file)) throw SynesthesiaException.inFile(file, "no such latents file");
        Map<String, Tensor> all = SafeTensors.readAll(file);
        if (all.isEmpty()) throw SynesthesiaException.inFile(file, "holds no tensors");
        for (String k : new String[] {"initial_latents", "latents"}) {
            Tensor t = all.get(k);
            if (t != null && t.rank() == 4) return t;
        }
        return all.values().iterator().next();
    }
}
