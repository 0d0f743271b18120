package org.synesthesia.clap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Activation;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Linear;
import org.synesthesia.nn.Mlp;
import org.synesthesia.nn.MultiHeadAttention;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.TransformerEncoderLayer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * CLAP's text branch as AudioLDM's conditioner calls it ({@code CLAP.get_text_embedding}), on ids [B, T] with an
 * attention mask [B, T]:
 * <pre>
 *   h = RobertaEmbeddings(ids)                                          text_branch.embeddings
 *   per layer (post-norm, BERT):  h = LN1(h + attn(h, mask));  h = LN2(h + fc2(gelu(fc1(h))))
 *   pooled = tanh(pooler.dense(h[:, 0]))                                text_branch.pooler
 *   p = text_projection.2(relu(text_projection.0(pooled)))              text_projection
 *   embedding = p / max(||p||_2, 1e-12)
 * </pre>
 * The mask is additive over keys only ({@code (1 - mask) * finfo.min}): every position, padding included, goes
 * through the encoder, but no position attends to padding. Module outputs are reported to a {@link Tracer} under
 * the CLAP module's names ({@link ClapNames}); layers under {@code text_branch.encoder.layer.N} with BERT's names.
 */
public final class ClapTextModel implements AutoCloseable {
    static final float NORM_EPS = 1e-12f;

    private final ClapTextConfig config;
    private final RobertaEmbeddings embeddings;
    private final List<TransformerEncoderLayer> layers;
    private final Linear pooler;
    private final Mlp projection;
    private final WeightSource owned;
    private final String description;

    private ClapTextModel(ClapTextConfig config, Weights w, WeightSource owned) {
        this.config = config;
        int present = ClapNames.layerCount(w);
        if (!w.isRandom() && present != config.numLayers())
            throw new SynesthesiaException(w.source().description() + ": has " + present + " CLAP text layers, the config asks for " + config.numLayers());
        int d = config.hiddenSize(), ff = config.intermediateSize();
        float eps = config.layerNormEps();
        this.embeddings = RobertaEmbeddings.bind(w, "text_branch.embeddings", config);
        List<TransformerEncoderLayer> ls = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "text_branch.encoder.layer." + i;
            MultiHeadAttention attn = new MultiHeadAttention(Linear.bind(w, p + ".attention.self.query", d, d, true),
                    Linear.bind(w, p + ".attention.self.key", d, d, true), Linear.bind(w, p + ".attention.self.value", d, d, true),
                    Linear.bind(w, p + ".attention.output.dense", d, d, true), config.numHeads());
            Mlp mlp = new Mlp(Linear.bind(w, p + ".intermediate.dense", ff, d, true), config.activation(), Linear.bind(w, p + ".output.dense", d, ff, true));
            ls.add(new TransformerEncoderLayer(LayerNorm.bind(w, p + ".attention.output.LayerNorm", d, eps), attn,
                    LayerNorm.bind(w, p + ".output.LayerNorm", d, eps), mlp, false, TransformerEncoderLayer.Names.BERT.under(p)));
        }
        this.layers = List.copyOf(ls);
        this.pooler = Linear.bind(w, "text_branch.pooler.dense", d, d, true);
        this.projection = new Mlp(Linear.bind(w, "text_projection.0", config.projectionHidden(), d, true), Activation.RELU,
                Linear.bind(w, "text_projection.2", config.projectionDim(), config.projectionHidden(), true));
        this.owned = owned;
        this.description = String.format(Locale.ROOT, "CLAP text (%s), %d layers, width %d, %d heads, projection %d -> %d", w.layout(),
                config.numLayers(), d, config.numHeads(), config.projectionHidden(), config.projectionDim());
    }

    /** Binds the tensors of {@code w} ({@link ClapNames#of}, or random weights; the caller keeps and closes its source). */
    public static ClapTextModel bind(Weights w, ClapTextConfig config) {
        return new ClapTextModel(config, w, null);
    }

    /**
     * Opens a checkpoint file holding a CLAP text branch (AudioLDM's {@code .ckpt}, a bare CLAP state dict, a
     * converted file) with {@code config} if given, else a {@code config.json} beside it (a RoBERTa or CLAP text
     * one), else {@link ClapTextConfig#infer}. The model owns the opened weights; close it to release them.
     */
    public static ClapTextModel load(Path path, ClapTextConfig config) {
        Path cfg = null;
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (dir != null && Files.isRegularFile(dir.resolve("config.json"))) cfg = dir.resolve("config.json");
        WeightSource src = WeightSources.open(path);
        try {
            Weights w = ClapNames.of(src);
            ClapTextConfig c = config != null ? config : cfg != null && isClapConfig(cfg) ? ClapTextConfig.fromJson(cfg) : ClapTextConfig.infer(w);
            return new ClapTextModel(c, w, src);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** Whether a config.json beside the weights is a RoBERTa / CLAP text one; present but unreadable or empty is an error. */
    private static boolean isClapConfig(Path file) {
        Object t = ReadFile.configObject(file, "not JSON").get("model_type");
        return "roberta".equals(t) || "clap_text_model".equals(t);
    }

    public ClapTextConfig config() { return config; }

    public String description() { return description; }

    /**
     * All outputs for {@code batch} sequences of ids and their attention mask ({@code ids.length / batch} each,
     * row-major [B, T]; mask values 0 or 1, null for all ones), reporting module outputs to {@code tracer}.
     */
    public ClapTextOutput forward(int[] ids, int[] mask, int batch, Tracer tracer) {
        int T = checkIds(ids, batch);
        boolean[] keep = keyMask(mask, ids.length, batch);
        int d = config.hiddenSize(), n = batch * T;
        float[] h = embeddings.forward(ids, batch, T);
        Capture.rows(tracer, "text_branch.embeddings", h, 0, batch, T, d);
        TransformerEncoderLayer.Buffers s = layers.isEmpty() ? null : layers.get(0).buffers(n);
        for (TransformerEncoderLayer l : layers) l.forward(h, batch, T, false, keep, s, tracer);
        Capture.rows(tracer, "text_branch.encoder", h, 0, batch, T, d);
        Capture.rows(tracer, "text_branch", h, 0, batch, T, d);
        float[] first = new float[batch * d];
        for (int b = 0; b < batch; b++) System.arraycopy(h, b * T * d, first, b * d, d);
        float[] pooled = pool(first, batch, tracer);
        float[] proj = project(pooled, batch, tracer);
        float[] emb = normalize(proj, batch, config.projectionDim());
        return new ClapTextOutput(Tensor.of(h, batch, T, d), Tensor.of(pooled, batch, d), Tensor.of(proj, batch, config.projectionDim()),
                Tensor.of(emb, batch, config.projectionDim()));
    }

    /**
     * The normalised embeddings [B, P] of {@link #forward}, computed on the first L positions only, L the end of the
     * last unmasked position of any sequence: no position attends to padding, so later positions cannot change the
     * first one, which is all the embedding reads.
     */
    public Tensor embed(int[] ids, int[] mask, int batch) {
        int T = checkIds(ids, batch);
        int L = 1;
        for (int b = 0; b < batch; b++)
            for (int t = T - 1; t >= L; t--)
                if (mask == null || mask[b * T + t] != 0) {
                    L = t + 1;
                    break;
                }
        if (L == T) return forward(ids, mask, batch, Tracer.NONE).embedding();
        int[] ci = new int[batch * L], cm = mask == null ? null : new int[batch * L];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids, b * T, ci, b * L, L);
            if (mask != null) System.arraycopy(mask, b * T, cm, b * L, L);
        }
        return forward(ci, cm, batch, Tracer.NONE).embedding();
    }

    /** CLAP's embeddings [B, P] of {@code prompts}, tokenized as AudioLDM does ({@link RobertaTokenizer#encodeForModel}); "" gives the unconditional embedding. */
    public Tensor embed(RobertaTokenizer tokenizer, List<String> prompts) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts");
        int T = RobertaTokenizer.MAX_LENGTH, B = prompts.size();
        int[] ids = new int[B * T], mask = new int[B * T];
        for (int b = 0; b < B; b++) {
            RobertaTokenizer.Encoding e = tokenizer.encodeForModel(prompts.get(b));
            for (int t = 0; t < T; t++) {
                ids[b * T + t] = Math.toIntExact(e.inputIds()[t]);
                mask[b * T + t] = Math.toIntExact(e.attentionMask()[t]);
            }
        }
        return embed(ids, mask, B);
    }

    private float[] pool(float[] first, int batch, Tracer tracer) {
        int d = config.hiddenSize();
        float[] y = new float[batch * d];
        pooler.forward(first, batch, y);
        Capture.rows(tracer, "text_branch.pooler.dense", y, 0, batch, d);
        for (int i = 0; i < y.length; i++) y[i] = (float) Math.tanh(y[i]);
        Capture.rows(tracer, "text_branch.pooler.activation", y, 0, batch, d);
        Capture.rows(tracer, "text_branch.pooler", y, 0, batch, d);
        return y;
    }

    private float[] project(float[] pooled, int batch, Tracer tracer) {
        int hp = config.projectionHidden(), p = config.projectionDim();
        float[] hidden = new float[batch * hp], y = new float[batch * p];
        projection.fc1().forward(pooled, batch, hidden);
        Capture.rows(tracer, "text_projection.0", hidden, 0, batch, hp);
        projection.act().apply(hidden, 0, hidden.length);
        Capture.rows(tracer, "text_projection.1", hidden, 0, batch, hp);
        projection.fc2().forward(hidden, batch, y);
        Capture.rows(tracer, "text_projection.2", y, 0, batch, p);
        Capture.rows(tracer, "text_projection", y, 0, batch, p);
        return y;
    }

    /** {@code F.normalize(x, dim=-1)}: each row divided by max(its L2 norm, 1e-12). */
    static float[] normalize(float[] x, int rows, int n) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (double) x[r * n + i] * x[r * n + i];
            float norm = (float) Math.max(Math.sqrt(ss), NORM_EPS);
            for (int i = 0; i < n; i++) y[r * n + i] = x[r * n + i] / norm;
        }
        return y;
    }

    private int checkIds(int[] ids, int batch) {
        if (batch <= 0 || ids.length == 0 || ids.length % batch != 0)
            throw new IllegalArgumentException(ids.length + " ids do not form " + batch + " non-empty sequences");
        int T = ids.length / batch;
        if (T > config.maxTokens())
            throw new SynesthesiaException("CLAP text: sequences of " + T + " tokens, the model has positions for " + config.maxTokens());
        for (int i = 0; i < ids.length; i++)
            if (ids[i] < 0 || ids[i] >= config.vocabSize())
                throw new SynesthesiaException("CLAP text: token id " + ids[i] + " at " + i + " is outside the vocabulary of " + config.vocabSize());
        return T;
    }

    /** The attention mask as keys to keep; values other than 0 and 1, or a sequence with no 1, are errors. */
    private static boolean[] keyMask(int[] mask, int n, int batch) {
        boolean[] keep = new boolean[n];
        if (mask == null) {
            Arrays.fill(keep, true);
            return keep;
        }
        if (mask.length != n) throw new SynesthesiaException("CLAP text: attention_mask has " + mask.length + " values for " + n + " ids");
        int T = n / batch;
        for (int b = 0; b < batch; b++) {
            boolean any = false;
            for (int t = 0; t < T; t++) {
                int m = mask[b * T + t];
                if (m != 0 && m != 1) throw new SynesthesiaException("CLAP text: attention_mask value " + m + " at " + (b * T + t) + ", expected 0 or 1");
                keep[b * T + t] = m == 1;
                any |= m == 1;
            }
            if (!any) throw new SynesthesiaException("CLAP text: attention_mask of sequence " + b + " is all zeros");
        }
        return keep;
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
