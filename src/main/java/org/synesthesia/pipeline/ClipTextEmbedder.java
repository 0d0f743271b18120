package org.synesthesia.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Captions to CLIP text features, as openai's {@code encode_text} and transformers' {@code get_text_features}: ids
 * {@code [start, the first 75 BPE ids, end]}, the text transformer (causal), the end token's row of the final
 * layer norm's output, times {@code text_projection}. Sequences of a batch are padded with the end token after
 * their own end: the causal mask keeps padding out of every earlier position, so the pooled row is that of the
 * sequence alone.
 */
public final class ClipTextEmbedder implements ClipEmbedder {
    private final ClipTextModel model;
    private final ClipTokenizer tokenizer;
    private final boolean owned;

    /** Embeds with {@code model}, which must hold a text projection; closing this closes the model if {@code owned}. */
    public ClipTextEmbedder(ClipTextModel model, ClipTokenizer tokenizer, boolean owned) {
        if (model.projection().isEmpty()) {
            if (owned) model.close();
            throw new SynesthesiaException(model.description() + ": no text_projection; CLIP text features need a CLIPModel or"
                    + " CLIPTextModelWithProjection checkpoint (a bare CLIPTextModel such as Stable Diffusion's text encoder has none)");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.owned = owned;
    }

    /** Loads the CLIP model at {@code path} ({@link ClipTextModel#load}) and its tokenizer ({@link #tokenizer}). */
    public static ClipTextEmbedder load(Path path, Path tokenizer) {
        ClipTokenizer tok = tokenizer(tokenizer, path);
        ClipTextModel m = ClipTextModel.load(path);
        if (m.projection().isEmpty()) {
            m.close();
            throw SynesthesiaException.inFile(path, "no text_projection; CLIP text features need a CLIPModel or CLIPTextModelWithProjection"
                    + " checkpoint (a bare CLIPTextModel such as Stable Diffusion's text encoder has none)");
        }
        return new ClipTextEmbedder(m, tok, true);
    }

    /**
     * The CLIP tokenizer: {@code given} (a folder with vocab.json and merges.txt, or openai's bpe {@code .gz}); else
     * the model's folder when it holds vocab.json (a Hugging Face CLIP folder), else a {@code tokenizer/} folder in it
     * or beside the model file.
     */
    public static ClipTokenizer tokenizer(Path given, Path model) {
        if (given != null) {
            if (Files.isRegularFile(given) && given.getFileName().toString().endsWith(".gz")) return ClipTokenizer.fromBpeFile(given);
            if (Files.isRegularFile(given.resolve("vocab.json"))) return ClipTokenizer.fromFolder(given);
            throw SynesthesiaException.inFile(given, "not a CLIP tokenizer (a folder with vocab.json and merges.txt, or bpe_simple_vocab_16e6.txt.gz)");
        }
        Path dir = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        if (dir != null) {
            if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) return ClipTokenizer.fromFolder(dir);
            if (Files.isRegularFile(dir.resolve("tokenizer").resolve("vocab.json"))) return ClipTokenizer.fromFolder(dir.resolve("tokenizer"));
        }
        throw SynesthesiaException.inFile(model, "no CLIP tokenizer beside it (vocab.json and merges.txt, or a tokenizer/ folder); give --clip-tokenizer");
    }

    /** The model input of one caption: start, the first 75 BPE ids, end (no padding). */
    public int[] ids(String caption) {
        int[] ids = tokenizer.encode(caption);
        int n = Math.min(ids.length, ClipTokenizer.CONTEXT_LENGTH - 2);
        int[] out = new int[n + 2];
        out[0] = ClipTokenizer.START_OF_TEXT;
        System.arraycopy(ids, 0, out, 1, n);
        out[n + 1] = ClipTokenizer.END_OF_TEXT;
        return out;
    }

    @Override
    public String description() {
        return model.description() + ", projection " + dim();
    }

    @Override
    public int dim() {
        return model.projection().orElseThrow().dim();
    }

    @Override
    public float[] embed(List<String> captions, String[] failures) {
        int b = captions.size();
        int[][] seqs = new int[b][];
        int T = 1;
        for (int i = 0; i < b; i++) {
            seqs[i] = ids(captions.get(i));
            T = Math.max(T, seqs[i].length);
        }
        int[] ids = new int[b * T];
        Arrays.fill(ids, ClipTokenizer.END_OF_TEXT);
        for (int i = 0; i < b; i++) System.arraycopy(seqs[i], 0, ids, i * T, seqs[i].length);
        Tensor f = model.textFeatures(ids, b);
        Finite.check(f, "clip text embedding");
        return f.toArray();
    }

    /** The model. */
    public ClipTextModel model() {
        return model;
    }

    @Override
    public void close() {
        if (owned) model.close();
    }
}
