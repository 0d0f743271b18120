package org.synesthesia.whisper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.MelFilters;
import org.synesthesia.io.WeightSources;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * A loaded Whisper checkpoint: the open {@link WeightSource} (weights stay mapped), the bound
 * {@link WhisperModel}, and its {@link WhisperEncoder} and {@link WhisperDecoder}. Batch size 1.
 *
 * <pre>
 * try (Whisper w = Whisper.load(path)) {
 *     Tensor audio = w.encode(mel);                      // [1, 1500, d]
 *     DecoderState s = w.newState(audio);
 *     float[] next = w.decoder().lastLogits(prefix, s);  // then one token at a time
 * }
 * </pre>
 * Dimensions come from the checkpoint's {@code dims} metadata, else a Hugging Face {@code config.json} beside it,
 * else the tensor shapes ({@link WhisperConfig}). Names may be openai's or Hugging Face's ({@link WhisperNames}); the
 * model binds them by openai name through {@link Weights}.
 */
public final class Whisper implements AutoCloseable {
    private final WeightSource source;
    private final Weights weights;
    private final WhisperModel model;
    private final WhisperEncoder encoder;
    private final WhisperDecoder decoder;

    private Whisper(Weights weights, WhisperModel model) {
        this.source = weights.source();
        this.weights = weights;
        this.model = model;
        this.encoder = new WhisperEncoder(model.config(), model.encoder());
        this.decoder = new WhisperDecoder(model.config(), model.decoder());
    }

    /**
     * Opens a checkpoint file, or a folder holding one ({@code model.safetensors} or a single
     * {@code *.safetensors}, with {@code config.json}). The returned model owns the file mapping: close it.
     */
    public static Whisper load(Path path) {
        Path file = checkpointFile(path);
        WeightSource src = openSource(file);
        try {
            Path folder = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
            return load(src, folder);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * Binds a model over an open source (any reader); {@code folder} is where a Hugging Face {@code config.json}
     * may be (null: none). The returned model closes {@code source} when closed.
     */
    public static Whisper load(WeightSource source, Path folder) {
        if (!WhisperNames.isWhisper(source.names()))
            throw new SynesthesiaException(source.description() + ": not a Whisper checkpoint (no encoder.conv1.weight and decoder.token_embedding.weight, in openai or Hugging Face names)");
        Weights weights = WhisperNames.of(source);
        WhisperConfig config = readConfig(weights, folder);
        return new Whisper(weights, WhisperModel.bind(weights, config));
    }

    /** The dimensions: metadata, else {@code folder/config.json} (Hugging Face), else inferred from shapes. */
    static WhisperConfig readConfig(Weights weights, Path folder) {
        WeightSource source = weights.source();
        Optional<WhisperConfig> meta = WhisperConfig.fromMetadata(source);
        if (meta.isPresent()) return meta.get();
        Optional<WhisperConfig> hf = huggingFaceConfig(folder);
        if (hf.isPresent()) return hf.get();
        try {
            return WhisperConfig.inferFromShapes(weights);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(source.description() + ": cannot tell the whisper dimensions from the tensor shapes (" + e.getMessage() + ")");
        }
    }

    private static Optional<WhisperConfig> huggingFaceConfig(Path folder) {
        if (folder == null) return Optional.empty();
        Path cfg = folder.resolve("config.json");
        if (!Files.isRegularFile(cfg)) return Optional.empty();
        Map<String, Object> json = ReadFile.configObject(cfg, "not JSON"); // present: must be readable and non-empty
        boolean whisper = "whisper".equals(json.get("model_type")) || json.containsKey("num_mel_bins") && json.containsKey("encoder_layers");
        if (!whisper) return Optional.empty();
        try {
            return Optional.of(WhisperConfig.fromHuggingFace(json));
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(cfg, "bad whisper config (" + e.getMessage() + ")");
        }
    }

    /**
     * The checkpoint of a path: the file itself, or inside a folder {@code model.safetensors}, else its single
     * {@code *.safetensors}, else the folder (its weight files merged by {@link WeightSources}).
     */
    static Path checkpointFile(Path path) {
        if (!Files.exists(path)) throw SynesthesiaException.inFile(path, "no such file or folder");
        if (!Files.isDirectory(path)) return path;
        Path m = path.resolve("model.safetensors");
        if (Files.isRegularFile(m)) return m;
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(path)) {
            s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().forEach(found::add);
        } catch (IOException e) {
            throw SynesthesiaException.inFile(path, "cannot list (" + e.getMessage() + ")");
        }
        return found.size() == 1 ? found.get(0) : path;
    }

    /**
     * Opens the reader for a checkpoint by its magic bytes: safetensors, openai {@code .pt} (PyTorch zip, with
     * {@code dims} as metadata), whisper.cpp ggml {@code .bin} (hyperparameters as metadata), GGUF, or a folder.
     */
    static WeightSource openSource(Path file) {
        return WeightSources.open(file);
    }


    public WhisperConfig config() {
        return model.config();
    }

    WhisperModel model() {
        return model;
    }

    public WeightSource source() {
        return source;
    }

    /** The checkpoint's tensors by openai name. */
    public Weights weights() {
        return weights;
    }

    WhisperEncoder encoder() {
        return encoder;
    }

    public WhisperDecoder decoder() {
        return decoder;
    }

    /**
     * The model's mel filterbank [n_mels, 201]: the one a converted file or a whisper.cpp ggml file carries, else
     * openai's ({@link MelFilters#whisper}, which the released models' files hold too).
     */
    public Tensor melFilters() {
        int n = config().nMels(), bins = LogMel.N_FFT / 2 + 1;
        Optional<float[]> stored = WhisperGguf.melFilters(source);
        if (stored.isEmpty() && source instanceof WhisperGgml g && g.melFilters() != null) stored = Optional.of(g.melFilters().toFloats());
        if (stored.isEmpty()) return MelFilters.whisper(n);
        if (stored.get().length != n * bins)
            throw new SynesthesiaException(source.description() + ": mel filters hold " + stored.get().length + " values, expected n_mels " + n + " x " + bins);
        return Tensor.of(stored.get(), n, bins);
    }

    /** mel [1, n_mels, 3000] -> audio features [1, 1500, d]. */
    public Tensor encode(Tensor mel) {
        return encoder.forward(mel, Tracer.NONE);
    }

    public Tensor encode(Tensor mel, Tracer tracer) {
        return encoder.forward(mel, tracer);
    }

    /** A new decoding sequence on the audio features of one segment (computes its cross-attention keys/values). */
    public DecoderState newState(Tensor audioFeatures) {
        return decoder.newState(decoder.crossAttention(audioFeatures));
    }

    /** openai's {@code Whisper.forward(mel, tokens)}: logits [1, T, n_vocab] of all tokens, no cache kept. */
    public Tensor forward(Tensor mel, int[] tokens, Tracer tracer) {
        Tensor audio = encoder.forward(mel, tracer);
        DecoderState s = newState(audio);
        return Tensor.of(decoder.logits(tokens, s, tracer), 1, tokens.length, config().nVocab());
    }

    public String description() {
        return "whisper " + model.config().officialName().orElse("custom") + " (" + weights.layout()
                + ", " + source.format() + "), " + model.config().nAudioLayer() + "+" + model.config().nTextLayer()
                + " layers, d " + model.config().nAudioState();
    }

    @Override
    public void close() {
        source.close();
    }
}
