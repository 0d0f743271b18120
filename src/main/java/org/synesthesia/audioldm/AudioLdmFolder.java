package org.synesthesia.audioldm;

import java.nio.file.Files;
import java.nio.file.Path;
import org.synesthesia.clap.ClapTextConfig;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Weights;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.vocoder.HifiGan;
import org.synesthesia.vocoder.HifiGanConfig;

/**
 * A diffusers {@code AudioLDMPipeline} folder: {@code model_index.json}, {@code unet/} (UNet2DConditionModel with
 * class_embed_type simple_projection), {@code vae/} (AutoencoderKL; {@code scaling_factor} is AudioLDM's
 * scale_factor), {@code vocoder/} (SpeechT5HifiGan), {@code text_encoder/} (transformers' ClapTextModelWithProjection,
 * optional), {@code tokenizer/} (RoBERTa) and {@code scheduler/}. Each part is read with its own config.json.
 */
public final class AudioLdmFolder {
    private AudioLdmFolder() {}

    /** Whether {@code path} is a pipeline folder whose model_index.json names AudioLDMPipeline. */
    public static boolean isAudioLdmFolder(Path path) {
        Path index = path.resolve("model_index.json");
        if (!Files.isDirectory(path) || !Files.isRegularFile(index)) return false;
        return "AudioLDMPipeline".equals(ReadFile.jsonObject(index, "not valid JSON").get("_class_name"));
    }

    /** The pipeline's parts; {@code clap} (a CLAP checkpoint) replaces {@code text_encoder/} when given. */
    public static AudioLdm load(Path folder, Path clap) {
        if (!isAudioLdmFolder(folder)) throw SynesthesiaException.inFile(folder.resolve("model_index.json"), "not an AudioLDMPipeline (its _class_name)");
        VaeConfig vc = VaeConfig.fromJson(config(folder, "vae"));
        UNetConfig uc = UNetConfig.read(config(folder, "unet"));
        HifiGanConfig hc = HifiGanConfig.fromJson(config(folder, "vocoder"));
        WeightSource unetSrc = null;
        ClapTextModel text = null;
        AutoencoderKL vae = null;
        HifiGan gan = null;
        try {
            unetSrc = WeightSources.open(folder.resolve("unet"));
            Weights uw = UNet2DConditionModel.weights(unetSrc, uc.layersPerBlock());
            UNet2DConditionModel unet = new UNet2DConditionModel(uc, uw);
            vae = AutoencoderKL.load(WeightSources.open(folder.resolve("vae")), vc, true);
            gan = HifiGan.load(WeightSources.open(folder.resolve("vocoder")), hc, true);
            Path te = folder.resolve("text_encoder");
            if (clap != null) text = ClapTextModel.load(clap, null);
            else if (Files.isDirectory(te)) text = ClapTextModel.load(te, ClapTextConfig.fromJson(config(folder, "text_encoder")));
            return AudioLdm.of(unetSrc, text, unet, vae, gan, (float) vc.scalingFactor());
        } catch (RuntimeException e) {
            if (text != null) text.close();
            if (gan != null) gan.close();
            if (vae != null) vae.close();
            if (unetSrc != null) unetSrc.close();
            throw e;
        }
    }

    private static Path config(Path folder, String part) {
        Path c = folder.resolve(part).resolve("config.json");
        if (!Files.isRegularFile(c)) throw SynesthesiaException.inFile(folder, "AudioLDM pipeline folder without " + part + "/config.json");
        return c;
    }

}
