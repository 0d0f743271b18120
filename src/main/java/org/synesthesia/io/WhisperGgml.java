package org.synesthesia.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SafeText;
import org.synesthesia.util.SynesthesiaException;

/**
 * whisper.cpp's ggml model files ({@code ggml-*.bin}), little-endian, no alignment:
 * <pre>
 * u32 magic 0x67676d6c ("ggml")
 * i32 n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
 *     n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype
 * i32 n_mel, i32 n_fft, f32 filters[n_mel * n_fft]                 the mel filterbank
 * i32 n_tokens, n_tokens x { u32 length, bytes }                   the vocabulary (byte-level BPE tokens)
 * until EOF: i32 n_dims, i32 name_length, i32 ggml_type, i32 ne[n_dims], name, data
 * </pre>
 * {@code ne[0]} is innermost; shapes are given here in PyTorch order. Tensor names are whisper.cpp's, which are
 * the openai checkpoint's ({@code encoder.conv1.weight}, ...). Files may hold no tensors (header-only test files).
 */
public final class WhisperGgml implements WeightSource {
    static final int MAGIC = 0x67676d6c;

    /** The hyperparameters in file order; {@code ftype} is whisper.cpp's (with its quantization version * 1000). */
    public record HParams(int nVocab, int nAudioCtx, int nAudioState, int nAudioHead, int nAudioLayer, int nTextCtx,
                          int nTextState, int nTextHead, int nTextLayer, int nMels, int ftype) {
        static final List<String> NAMES = List.of("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
                "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels", "ftype");

        int[] values() {
            return new int[] {nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftype};
        }
    }

    private final MappedFile file;
    private final HParams hparams;
    private final StoredTensor melFilters;
    private final List<byte[]> vocabulary;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, String> metadata;

    private WhisperGgml(MappedFile file, HParams hparams, StoredTensor melFilters, List<byte[]> vocabulary, Map<String, StoredTensor> tensors) {
        this.file = file;
        this.hparams = hparams;
        this.melFilters = melFilters;
        this.vocabulary = vocabulary;
        this.tensors = tensors;
        Map<String, String> m = new LinkedHashMap<>();
        int[] v = hparams.values();
        for (int i = 0; i < v.length; i++) m.put(HParams.NAMES.get(i), Integer.toString(v[i]));
        m.put("mel_filters", melFilters.shapeString());
        m.put("vocabulary_size", Integer.toString(vocabulary.size()));
        this.metadata = Collections.unmodifiableMap(m);
    }

    public static WhisperGgml open(Path path) {
        return MappedFile.openWith(path, WhisperGgml::parse);
    }

    private static WhisperGgml parse(MappedFile f) {
        Path path = f.path();
        Cursor c = new Cursor(path, f.segment());
        if (f.size() < 4 || c.i32("magic") != MAGIC) throw SynesthesiaException.inFile(path, "not a whisper.cpp ggml file (wrong magic)");
        int[] h = new int[11];
        for (int i = 0; i < h.length; i++) {
            h[i] = c.i32("hyperparameter " + HParams.NAMES.get(i));
            if (h[i] < 0) throw SynesthesiaException.inFile(path, "hyperparameter " + HParams.NAMES.get(i) + " is negative (" + h[i] + ")");
        }
        // heads split the state: a head count above the state width is damage (checked before anything sizes by it)
        if (h[3] > Math.max(1, h[2]) || h[7] > Math.max(1, h[6]))
            throw SynesthesiaException.inFile(path, "damaged header: " + h[3] + " audio heads for state " + h[2] + ", " + h[7]
                    + " text heads for state " + h[6]);
        HParams hp = new HParams(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]);
        int nMel = c.i32("mel filter count"), nFft = c.i32("mel filter length");
        if (nMel < 0 || nFft < 0) throw SynesthesiaException.inFile(path, "bad mel filter size " + nMel + " x " + nFft);
        StoredTensor filters = new StoredTensor("mel_filters", DType.F32, new long[] {nMel, nFft},
                c.slice(4L * nMel * nFft, "mel filters"), path.toString());
        int nTokens = c.i32("vocabulary size");
        if (nTokens < 0) throw SynesthesiaException.inFile(path, "negative vocabulary size " + nTokens);
        if (nTokens > c.remaining() / 4)
            throw SynesthesiaException.inFile(path, "damaged header: a vocabulary of " + nTokens + " tokens (4+ bytes each) cannot fit in the "
                    + c.remaining() + " bytes left");
        List<byte[]> vocab = new ArrayList<>(Math.min(nTokens, 1 << 20));
        for (int i = 0; i < nTokens; i++) {
            long len = c.u32("length of token " + i);
            vocab.add(c.bytes(len, "token " + i));
        }
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        while (c.remaining() > 0) {
            int nDims = c.i32("tensor header");
            int nameLen = c.i32("tensor header");
            int type = c.i32("tensor header");
            if (nDims < 0 || nDims > 4 || nameLen < 0 || nameLen > 4096)
                throw SynesthesiaException.inFile(path, "damaged tensor header at byte " + (c.position() - 12) + " (" + nDims + " dimensions, name of " + nameLen + " bytes)");
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = c.i32("tensor dimensions");
                if (ne[d] < 0) throw SynesthesiaException.inFile(path, "negative tensor dimension at byte " + (c.position() - 4));
            }
            String name = c.utf8(nameLen, "tensor name");
            String q = SafeText.quote(name);
            long n = TensorSizes.elements(path, q, ne);
            DType dt = GgmlType.dtype(type);
            if (dt == null || !dt.isWeight())
                throw SynesthesiaException.inFile(path, "tensor " + q + " has unsupported tensor type " + GgmlType.name(type)
                        + " (ggml type " + type + "; supported: F32, F16, BF16, Q8_0, Q4_0)");
            if (dt.blockSize > 1 && (nDims == 0 || ne[0] % dt.blockSize != 0))
                throw SynesthesiaException.inFile(path, "tensor " + q + ": " + dt + " rows are not whole blocks of " + dt.blockSize);
            if (tensors.containsKey(name)) throw SynesthesiaException.inFile(path, "two tensors are named " + q);
            long[] shape = new long[nDims];
            for (int d = 0; d < nDims; d++) shape[d] = ne[nDims - 1 - d];
            tensors.put(name, new StoredTensor(name, dt, shape, c.slice(TensorSizes.bytesFor(path, q, dt, n, ne), "tensor " + q), path.toString()));
        }
        // every layer has weight tensors: a layer count above the file's tensor count is damage
        // (a header-only file, as whisper.cpp's test headers, holds none and builds no model)
        if (!tensors.isEmpty() && (hp.nAudioLayer() > tensors.size() || hp.nTextLayer() > tensors.size()))
            throw SynesthesiaException.inFile(path, "damaged header: " + hp.nAudioLayer() + " audio and " + hp.nTextLayer()
                    + " text layers claimed, but the file holds " + tensors.size() + " tensors");
        return new WhisperGgml(f, hp, filters, Collections.unmodifiableList(vocab), Collections.unmodifiableMap(tensors));
    }

    public HParams hparams() { return hparams; }

    /** The mel filterbank, F32 {@code [n_mel, n_fft]} (e.g. [80, 201]). */
    public StoredTensor melFilters() { return melFilters; }

    /** Token bytes by id (byte-level BPE pieces; not necessarily valid UTF-8). */
    public List<byte[]> vocabulary() { return vocabulary; }

    @Override public String description() { return file.path().toString(); }
    @Override public String format() { return "whisper-ggml"; }
    @Override public Collection<String> names() { return tensors.keySet(); }
    @Override public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
    @Override public Map<String, String> metadata() { return metadata; }
    @Override public void close() { file.close(); }

}
