package org.synesthesia.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.image.ClipImageProcessor;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.ImagePreprocess;
import org.synesthesia.image.RgbImage;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.translator.Translator;
import org.synesthesia.util.SynesthesiaException;

/**
 * Image to sound ({@link SoundJob}): the conditioning is the translator's map of the CLIP image embedding,
 * {@code cond = T(image_embeds(preprocess(image)))} [1, 512], in place of CLAP's text embedding; the unconditional
 * input stays CLAP(negative prompt). Stages: {@link Stage#READ_IMAGE} (before any model loads, so a bad image or URL
 * costs nothing), {@link Stage#LOAD_CLIP_VISION}, {@link Stage#IMAGE_ENCODE}, then the sound stages.
 */
public final class ImageToSound extends SoundJob {
    /**
     * Where the conditioning comes from.
     *
     * @param image      a path or an http(s) URL
     * @param clip       the CLIP vision model (transformers folder or file, a full CLIPModel, openai's .pt, a converted file)
     * @param translator the CLIP-to-CLAP translator (.pth or safetensors)
     * @param preprocess CLIP's own preprocessing, or the original work's (its translators saw that)
     */
    public record ImageSource(String image, Path clip, Path translator, ImagePreprocess preprocess) {
        /** The sidecar's first lines. */
        String describe() {
            return "Image: " + image + "\nCLIP: " + clip.getFileName() + ", Translator: " + translator.getFileName() + ", Preprocess: "
                    + preprocess.name().toLowerCase(Locale.ROOT);
        }
    }

    private final ImageInput input;

    /** {@code caller}: the name one-line errors are about (a command's, e.g. {@code sonify}); {@code input} reads images and URLs. */
    public ImageToSound(String caller, PipelineListener listener, ImageInput input) {
        super(caller, listener);
        this.input = input;
    }

    /**
     * The sound of {@code src}'s image with AudioLDM checkpoint {@code model} (CLAP from {@code clap} if not null).
     * The models are bound (mapped, so cheaply) and checked against each other before the image is read, and the
     * image before anything is noted, so that any bad input is the only line printed.
     */
    public Result generate(Path model, Path clap, RobertaTokenizer tokenizer, ImageSource src, SoundSettings s) {
        AudioLdmDuration duration = duration(s);
        StageClock clock = new StageClock(listener);
        clock.start(Stage.LOAD_CLIP_VISION);
        Translator translator = Translator.load(src.translator());
        try (ClipVisionModel clip = ClipVisionModel.load(src.clip()); AudioLdm m = load(model, clap, checked(clip, translator, src, clock))) {
            int film = m.unet().config().classEmbedInputDim();
            if (film > 0 && translator.out() != film)
                throw SynesthesiaException.inFile(src.translator(), "gives " + translator.out() + "-d conditioning but the AudioLDM model takes "
                        + film + "-d");
            clock.start(Stage.READ_IMAGE);
            RgbImage image = input.read(src.image());
            clock.finish(Stage.READ_IMAGE);
            listener.note(String.format(Locale.ROOT, "image: %s (%dx%d)", src.image(), image.width(), image.height()));
            listener.note(clip.description() + "; translator " + translator.in() + " -> " + translator.hidden() + " -> " + translator.out());
            listener.note(m.describe());
            clock.start(Stage.IMAGE_ENCODE);
            Tensor pixels = processor(src).tensor(image);
            float[] embeds = clip.imageEmbeds(pixels).toArray(); // [1, proj], not normalised: the translator normalises
            Finite.check(embeds, "clip image embedding");
            Tensor cond = Tensor.of(translator.map(embeds), 1, translator.out());
            Finite.check(cond, "translator output (clap-space conditioning)");
            clock.finish(Stage.IMAGE_ENCODE);
            clock.start(Stage.TEXT_ENCODE);
            Tensor uncond = m.clap().embed(tokenizer, List.of(s.negativePrompt()));
            Finite.check(uncond, "clap text embedding");
            clock.finish(Stage.TEXT_ENCODE);
            return generate(m, model, cond, uncond, src.describe(), s, duration, clock);
        }
    }

    /** Checks that the translator takes what the CLIP model gives; returns {@code clock} with the load stage finished. */
    private static StageClock checked(ClipVisionModel clip, Translator translator, ImageSource src, StageClock clock) {
        int proj = clip.config().projectionDim();
        if (translator.in() != proj)
            throw SynesthesiaException.inFile(src.translator(), "takes " + translator.in() + "-d CLIP embeddings but " + src.clip().getFileName()
                    + " gives " + proj + "-d ones");
        clock.finish(Stage.LOAD_CLIP_VISION);
        return clock;
    }

    /** The preprocessing: {@code preprocessor_config.json} in or beside the CLIP model when there is one, else CLIP's defaults. */
    static ClipImageProcessor processor(ImageSource src) {
        Path dir = Files.isDirectory(src.clip()) ? src.clip() : src.clip().toAbsolutePath().getParent();
        Path cfg = dir == null ? null : dir.resolve("preprocessor_config.json");
        return ClipImageProcessor.of(src.preprocess(), cfg != null && Files.isRegularFile(cfg) ? cfg : null);
    }
}
