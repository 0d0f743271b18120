package org.synesthesia.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The CLIP text transformer (transformers' {@code CLIPTextModel}) as Stable Diffusion calls it: no attention
 * mask, a causal mask always. On ids [B, T] (T at most {@code max_position_embeddings}):
 * <pre>
 *   h = token_embedding[ids] + position_embedding[0..T)                       hidden_states[0]
 *   per layer:  h = h + out_proj(attn(q_proj(LN1(h)), k_proj(LN1(h)), v_proj(LN1(h))))
 *               h = h + fc2(act(fc1(LN2(h))))                                  hidden_states[i+1]
 *   last_hidden_state = final_layer_norm(h)
 * </pre>
 * with multi-head attention {@code softmax(q k^T / sqrt(head_dim) + causal) v} per head: a causal
 * {@link ClipEncoder}. Module outputs are reported to a {@link Tracer} under transformers' names
 * ({@code text_model.embeddings}, {@code text_model.encoder.layers.N}, {@code ...layers.N.self_attn},
 * {@code text_model.final_layer_norm}, ...).
 */
public final class ClipTextModel implements AutoCloseable {

    private final ClipTextConfig config;
    private final ClipTextWeights weights;
    private final WeightSource owned;
    private final String description;
    private final ClipTextProjection projection; // null: the checkpoint has none

    private ClipTextModel(ClipTextConfig config, ClipTextWeights weights, WeightSource owned, String description, ClipTextProjection projection) {
        this.config = config;
        this.weights = weights;
        this.owned = owned;
        this.description = description;
        this.projection = projection;
    }

    /** Binds the tensors of {@code names} ({@link ClipNames#of}; the caller keeps and closes its source). */
    public static ClipTextModel bind(Weights names, ClipTextConfig config) {
        return new ClipTextModel(config, ClipTextWeights.bind(names, config), null, describe(names, config),
                ClipTextProjection.find(names, config.hiddenSize()).orElse(null));
    }

    /** {@link #load(Path, ClipTextConfig)} with the configuration from {@code config.json} or inferred. */
    public static ClipTextModel load(Path path) {
        return load(path, null);
    }

    /**
     * Opens a text encoder: a diffusers pipeline folder (its {@code text_encoder/}), a folder with
     * {@code config.json} and weights (a diffusers {@code text_encoder/}, a transformers model), or a checkpoint file
     * (also an SD single file: {@code cond_stage_model.*}). The configuration is {@code config} if given, else the
     * folder's {@code config.json} (beside a file: only a CLIP one), else a converted file's stored config, else inferred from the tensors
     * ({@link ClipTextConfig#infer}). The model owns the opened weights; close it to release them.
     */
    public static ClipTextModel load(Path path, ClipTextConfig config) {
        Path p = path;
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("model_index.json"))) {
            p = p.resolve("text_encoder");
            if (!Files.isDirectory(p)) throw SynesthesiaException.inFile(path, "a diffusers folder without text_encoder/");
        }
        Path cfg = null;
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve("config.json"))) cfg = p.resolve("config.json");
        } else if (p.toAbsolutePath().getParent() != null) {
            Path sib = p.toAbsolutePath().getParent().resolve("config.json");
            if (Files.isRegularFile(sib) && isClipConfig(sib)) cfg = sib;
        }
        WeightSource src = WeightSources.open(p);
        try {
            Weights names = ClipNames.of(src);
            String stored = src.metadata().get(STORED_CONFIG); // a converted Stable Diffusion file's own config
            ClipTextConfig c = config != null ? config : cfg != null ? ClipTextConfig.fromJson(cfg)
                    : stored != null ? ClipTextConfig.fromMap(storedConfig(stored, src), src.description() + " (text encoder config)")
                    : ClipTextConfig.infer(names);
            return new ClipTextModel(c, ClipTextWeights.bind(names, c), src, describe(names, c),
                    ClipTextProjection.find(names, c.hiddenSize()).orElse(null));
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** The metadata key of a converted Stable Diffusion file holding its text encoder's config JSON (FORMAT.md). */
    static final String STORED_CONFIG = "stable-diffusion.text_encoder.config";

    private static Map<String, Object> storedConfig(String json, WeightSource src) {
        try {
            return Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(src.description() + ": " + STORED_CONFIG + " is not a JSON object (" + e.getMessage() + ")");
        }
    }

    private static boolean isClipConfig(Path file) {
        try {
            Map<String, Object> m = Json.parseObject(Files.readString(file));
            Object t = m.get("model_type");
            return "clip_text_model".equals(t) || "clip".equals(t);
        } catch (Exception e) {
            return false;
        }
    }

    private static String describe(Weights names, ClipTextConfig c) {
        return String.format(Locale.ROOT, "CLIP text (%s names), %d layers, width %d, %d heads, %s",
                ClipNames.naming(names) == ClipNames.Naming.OPEN_CLIP ? "OpenCLIP" : "Hugging Face", c.numLayers(), c.hiddenSize(),
                c.numHeads(), c.activation().hfName);
    }

    public ClipTextConfig config() { return config; }

    ClipTextWeights weights() { return weights; }

    public String description() { return description; }

    /** The text projection stored with the transformer ({@link ClipTextProjection#find}), if any. */
    public java.util.Optional<ClipTextProjection> projection() { return java.util.Optional.ofNullable(projection); }

    /**
     * transformers' {@code get_text_features} (openai's {@code encode_text}): the pooled output [B, hidden] times the
     * text projection, [B, projection_dim], not normalised. A checkpoint without the projection is an error.
     */
    public Tensor textFeatures(int[] ids, int batch) {
        if (projection == null)
            throw new SynesthesiaException((owned != null ? owned.description() : "CLIP text model")
                    + ": no text_projection (a bare CLIPTextModel, e.g. Stable Diffusion's text encoder); CLIP text features need a"
                    + " CLIPModel or CLIPTextModelWithProjection checkpoint");
        Tensor pooled = forward(ids, batch, Tracer.NONE).poolerOutput();
        return Tensor.of(projection.forward(pooled.toArray(), batch), batch, projection.dim());
    }

    /**
     * All outputs for {@code batch} sequences of ids ({@code ids.length / batch} each, row-major [B, T]), reporting
     * module outputs to {@code tracer}.
     */
    public ClipTextOutput forward(int[] ids, int batch, Tracer tracer) {
        int T = checkIds(ids, batch);
        int d = config.hiddenSize(), n = batch * T;
        List<float[]> hidden = new ArrayList<>();
        float[] h = run(ids, batch, T, config.numLayers(), tracer, hidden);
        float[] last = finalNorm(h, n);
        float[] pen = finalNorm(hidden.get(hidden.size() - 2), n);
        float[] pooled = new float[batch * d];
        for (int b = 0; b < batch; b++) {
            int best = 0;
            for (int t = 1; t < T; t++) if (ids[b * T + t] > ids[b * T + best]) best = t;
            System.arraycopy(last, (b * T + best) * d, pooled, b * d, d);
        }
        List<Tensor> hs = new ArrayList<>();
        for (float[] x : hidden) hs.add(Tensor.of(x, batch, T, d));
        return new ClipTextOutput(Tensor.of(last, batch, T, d), Tensor.of(pen, batch, T, d), Tensor.of(pooled, batch, d), List.copyOf(hs));
    }

    /**
     * Prompt embeddings [B, T, d]: {@code final_layer_norm(hidden_states[-(1 + clipSkip)])}, running only the layers
     * needed. clipSkip 0 gives {@code last_hidden_state} (SD 1.x), 1 the penultimate layer (SD 2.x from a full
     * 24-layer OpenCLIP checkpoint; diffusers' 23-layer SD 2.x text encoders use 0).
     */
    public Tensor encode(int[] ids, int batch, int clipSkip) {
        if (clipSkip < 0 || clipSkip >= config.numLayers() + 1)
            throw new IllegalArgumentException("clip skip " + clipSkip + " for a model of " + config.numLayers() + " layers");
        int T = checkIds(ids, batch);
        float[] h = run(ids, batch, T, config.numLayers() - clipSkip, Tracer.NONE, null);
        return Tensor.of(finalNorm(h, batch * T), batch, T, config.hiddenSize());
    }

    /** {@link #encode(int[], int, int)} of one sequence, as [1, T, d]. */
    public Tensor encode(int[] ids, int clipSkip) {
        return encode(ids, 1, clipSkip);
    }

    private int checkIds(int[] ids, int batch) {
        if (batch <= 0 || ids.length == 0 || ids.length % batch != 0)
            throw new IllegalArgumentException(ids.length + " ids do not form " + batch + " non-empty sequences");
        int T = ids.length / batch;
        if (T > config.maxPositions())
            throw new SynesthesiaException("CLIP text: sequences of " + T + " tokens, the model has " + config.maxPositions() + " positions");
        for (int i = 0; i < ids.length; i++)
            if (ids[i] < 0 || ids[i] >= config.vocabSize())
                throw new SynesthesiaException("CLIP text: token id " + ids[i] + " at " + i + " is outside the vocabulary of " + config.vocabSize());
        return T;
    }

    private float[] finalNorm(float[] h, int rows) {
        float[] y = new float[h.length];
        weights.finalLayerNorm().forward(h, y, rows);
        return y;
    }

    /** Embeddings then {@code layers} encoder layers; returns h [B*T, d]; keeps every hidden state in {@code keep} if given. */
    private float[] run(int[] ids, int batch, int T, int layers, Tracer tracer, List<float[]> keep) {
        int d = config.hiddenSize(), n = batch * T;
        float[] h = new float[n * d];
        float[] pos = weights.positionEmbedding();
        Parallel.forRange(n, Math.max(1, Capture.ELEMENT_GRAIN / d), (from, to) -> {
            for (int r = from; r < to; r++) {
                weights.tokenEmbedding().decodeRow(ids[r], 0, d, h, r * d);
                Ops.addInPlace(h, r * d, pos, (r % T) * d, d);
            }
        });
        Capture.rows(tracer, "text_model.embeddings", h, 0, batch, T, d);
        if (keep != null) keep.add(h.clone());
        weights.encoder().forward(h, batch, T, layers, tracer, keep);
        if (tracer.wants("text_model.final_layer_norm") || tracer.wants("text_model")) {
            float[] y = finalNorm(h, n);
            Capture.rows(tracer, "text_model.final_layer_norm", y, 0, batch, T, d);
            Capture.rows(tracer, "text_model", y, 0, batch, T, d);
        }
        return h;
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
