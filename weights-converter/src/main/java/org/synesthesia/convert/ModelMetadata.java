package org.synesthesia.convert;

import java.nio.file.Path;
import org.synesthesia.diffusion.SdGguf;
import org.synesthesia.diffusion.UNetConfig;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.WhisperGguf;
import org.synesthesia.whisper.WhisperNames;

/**
 * The model-level part of a converted file: its architecture, the metadata that makes it self-contained
 * (configs, tokenizer, mel filters, scheduler; FORMAT.md) and which of the input's tensors belong to it.
 */
abstract class ModelMetadata {
    abstract String architecture();

    abstract void write(GgufWriter w);

    /** Whether tensor {@code name} of the input is converted (training leftovers and unused components are not). */
    abstract boolean keeps(String name);

    /** Recognises the input: Whisper, or Stable Diffusion (a whole pipeline or some of its components). */
    static ModelMetadata of(Path input, WeightSource src, Converter.Options o) {
        if (input.toString().startsWith(Converter.RANDOM)) return randomUNet(input.toString().contains("sd21") ? UNetConfig.sd2() : UNetConfig.sd1());
        if (WhisperNames.isWhisper(src.names())) {
            WhisperGguf.Bundle b = WhisperGguf.fromInput(input, src, o.tokenizer());
            return new ModelMetadata() {
                @Override String architecture() { return "whisper"; }
                @Override void write(GgufWriter w) { WhisperGguf.write(w, b); }
                @Override boolean keeps(String name) { return true; }
            };
        }
        if (!looksLikeStableDiffusion(src))
            throw SynesthesiaException.inFile(input, "not a Whisper or Stable Diffusion checkpoint (" + src.names().size() + " tensors, e.g. "
                    + src.names().stream().limit(3).toList() + ")");
        SdGguf.Bundle b = SdGguf.fromInput(input, src, o.tokenizer(), o.prediction());
        return new ModelMetadata() {
            @Override String architecture() { return "stable-diffusion"; }
            @Override void write(GgufWriter w) { SdGguf.write(w, b); }
            @Override boolean keeps(String name) { return keepsSd(name); }
        };
    }

    /** A random UNet (diffusers names at the top level) with its config. */
    static ModelMetadata randomUNet(UNetConfig c) {
        return new ModelMetadata() {
            @Override String architecture() { return "stable-diffusion"; }
            @Override void write(GgufWriter w) { /* TODO unet config */ }
            @Override boolean keeps(String name) { return true; }
        };
    }

    /** Diffusers components other than unet, vae and text_encoder, and LDM EMA copies, are left out. */
    static boolean keepsSd(String name) {
        if (name.startsWith("model_ema.")) return false;
        int slash = name.indexOf('/');
        if (slash < 0) return true;
        String component = name.substring(0, slash);
        return component.equals("unet") || component.equals("vae") || component.equals("text_encoder");
    }

    private static boolean looksLikeStableDiffusion(WeightSource src) {
        for (String n : src.names()) {
            if (n.startsWith("model.diffusion_model.") || n.startsWith("first_stage_model.") || n.startsWith("cond_stage_model.")
                    || n.startsWith("unet/") || n.startsWith("vae/") || n.startsWith("text_encoder/")
                    || n.equals("conv_in.weight") || n.equals("input_blocks.0.0.weight") || n.startsWith("decoder.conv_in.")
                    || n.startsWith("encoder.conv_in.") || n.startsWith("text_model.embeddings.") || n.startsWith("transformer.resblocks."))
                return true;
        }
        return false;
    }
}
