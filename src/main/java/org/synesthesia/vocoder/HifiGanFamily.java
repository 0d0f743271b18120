package org.synesthesia.vocoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;
import org.synesthesia.tensor.Tensor;

/**
 * {@code trace} on a HiFi-GAN generator ({@link HifiGan#load(Path)}: jik876's generator file with its config.json,
 * a diffusers vocoder folder, or the vocoder of an AudioLDM checkpoint, which needs {@code --part vocoder} or a
 * {@code mel} input as the checkpoint's default part is another family's). Input {@code mel} [N, n_mels, frames]
 * (or AudioLDM's [N, 1, frames, n_mels]) -> audio [N, 1, frames * hop]; modules as {@link HifiGan} traces them.
 */
public final class HifiGanFamily extends Family {
    public HifiGanFamily() {
        super("hifigan", "HiFi-GAN vocoder (jik876/hifi-gan generator, AudioLDM's vocoder, diffusers SpeechT5HifiGan)",
                s -> HifiGanNames.prefix(s.names()) != null, s -> HifiGanNames.mapping(s.names()));
    }

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        if (part != null && !part.equals("vocoder")) return Optional.empty();
        if (!Files.isDirectory(model) && (!Files.isRegularFile(model) || WeightSources.detect(model) == WeightSources.Format.UNKNOWN))
            return Optional.empty();
        String prefix;
        boolean others;
        try (WeightSource src = WeightSources.open(model)) {
            prefix = HifiGanNames.prefix(src.names());
            others = prefix != null && src.names().stream().anyMatch(n -> !n.startsWith(prefix));
        }
        if (prefix == null || part == null && others && !inputNames.contains("mel")) return Optional.empty();
        return Optional.of(part(HifiGan.load(model)));
    }

    private static Traceable part(HifiGan gan) {
        return Traceable.of(gan.description(), List.of("mel"), (inputs, tracer) -> {
            Tensor mel = TraceInputs.require(inputs, "HiFi-GAN", "mel");
            int m = gan.config().numMels();
            if (mel.rank() == 4 && mel.dim(1) == 1 && mel.dim(3) == m) // AudioLDM: mel.squeeze(1).permute(0, 2, 1)
                mel = mel.reshape(mel.dim(0), mel.dim(2), m).permute(0, 2, 1).contiguous();
            return gan.forward(mel, tracer);
        }, gan::close);
    }
}
