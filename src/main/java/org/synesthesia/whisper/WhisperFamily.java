package org.synesthesia.whisper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.TraceInputs;
import org.synesthesia.nn.Traceable;
import org.synesthesia.nn.Family;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code trace} on a Whisper checkpoint (recognised by its tensor names, openai or Hugging Face). Parts:
 * <ul>
 *   <li>{@code encoder}: input {@code mel} [1, n_mels, 3000] -> audio features [1, 1500, d];</li>
 *   <li>{@code decoder} (the default when the inputs hold {@code tokens}): inputs {@code tokens} [T] or [1, T]
 *       and {@code mel} (or the encoder's output as {@code audio_features}) -> logits [1, T, n_vocab], openai's
 *       {@code Whisper.forward(mel, tokens)}.</li>
 * </ul>
 * Module names are openai's ({@code encoder.blocks.0.attn}, {@code decoder.blocks.1.cross_attn}, {@code decoder.ln}).
 */
public final class WhisperFamily extends Family {
    public WhisperFamily() {
        super("whisper", "Whisper speech recognition (openai, Hugging Face and whisper.cpp names)",
                s -> WhisperNames.isWhisper(s.names()), s -> WhisperNames.mapping(s));
    }

    private static final List<String> FEATURE_NAMES = List.of("audio_features", "xa", "encoder_output");

    @Override
    public long[] canonicalShape(String canonicalName, long[] storedShape) {
        return WhisperNames.canonicalShape(canonicalName, storedShape);
    }

    @Override
    public Optional<Traceable> traceable(Path model, String part, Set<String> inputNames) {
        Path file;
        try {
            file = Whisper.checkpointFile(model);
        } catch (SynesthesiaException e) {
            return Optional.empty(); // a folder without one weights file: not ours
        }
        WeightSource src;
        try {
            src = Whisper.openSource(file);
        } catch (SynesthesiaException e) {
            return Optional.empty(); // not a checkpoint any reader knows: not ours
        }
        Whisper w;
        try {
            if (!WhisperNames.isWhisper(src.names())) {
                src.close();
                return Optional.empty();
            }
            w = Whisper.load(src, Files.isDirectory(file) ? file : file.toAbsolutePath().getParent());
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
        String p = part != null ? part : inputNames.contains("tokens") ? "decoder" : "encoder";
        return switch (p) {
            case "encoder" -> Optional.of(Traceable.of(w.description() + ", encoder", List.of("mel"),
                    (inputs, tracer) -> w.encode(TraceInputs.require(inputs, "whisper encoder", "mel"), tracer), w::close));
            case "decoder", "model", "whisper" -> Optional.of(new FullModel(w));
            default -> {
                w.close();
                throw SynesthesiaException.inFile(model, "a Whisper checkpoint has parts 'encoder' and 'decoder', not '" + part + "'");
            }
        };
    }


    private static final class FullModel implements Traceable {
        private final Whisper w;

        FullModel(Whisper w) {
            this.w = w;
        }

        @Override public String description() { return w.description() + ", decoder on tokens"; }

        @Override public List<String> inputNames() { return List.of("tokens", "mel", "audio_features"); }

        @Override
        public Tensor forward(Map<String, Tensor> inputs, Tracer tracer) {
            Tensor tok = TraceInputs.require(inputs, "whisper decoder", "tokens");
            int[] ids = TraceInputs.ints("whisper", "tokens", tok, 1, new int[1]);
            if (inputs.containsKey("mel")) return w.forward(inputs.get("mel"), ids, tracer);
            for (String n : FEATURE_NAMES) {
                Tensor xa = inputs.get(n);
                if (xa == null) continue;
                DecoderState s = w.newState(xa);
                return Tensor.of(w.decoder().logits(ids, s, tracer), 1, ids.length, w.config().nVocab());
            }
            throw new SynesthesiaException("whisper decoder: needs 'mel' or the encoder output as 'audio_features' besides 'tokens'");
        }

        @Override public void close() { w.close(); }
    }
}
