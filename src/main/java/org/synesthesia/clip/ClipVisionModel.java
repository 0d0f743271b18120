package org.synesthesia.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * The CLIP image encoder, transformers' {@code CLIPVisionModelWithProjection}. On pixel values x [B, C, S, S]
 * (S = image_size, already resized and normalised), with g = S / patch and T = 1 + g^2:
 * <pre>
 *   p = patch_embedding(x)                  Conv2d(C, d, kernel = stride = patch, no bias): [B, d, g, g]
 *                                           (computed as a GEMM on the patches, see patchEmbedding)
 *   h[b, 0]   = class_embedding + position_embedding[0]
 *   h[b, 1+i] = p[b, :, i / g, i % g] + position_embedding[1+i]      vision_model.embeddings [B, T, d]
 *   h = pre_layrnorm(h)
 *   per layer (no mask):  h = h + out_proj(attn(LN1(h)));  h = h + fc2(act(fc1(LN2(h))))
 *   last_hidden_state = h                                            vision_model.encoder [B, T, d]
 *   pooled = post_layernorm(h[:, 0])                                 vision_model.post_layernorm [B, d]
 *   image_embeds = pooled W^T, W = visual_projection [proj, d]        visual_projection [B, proj]
 * </pre>
 * The encoder is a non-causal {@link ClipEncoder}. Module outputs are reported to a {@link Tracer} under the
 * names on the right (and the layers' own: {@code vision_model.encoder.layers.N}, {@code ...layers.N.self_attn},
 * {@code ...layers.N.mlp}, also {@code vision_model.embeddings.patch_embedding} and {@code vision_model.pre_layrnorm}).
 * {@code image_embeds} are not normalised; {@link #normalizedImageEmbeds} divides each row by its L2 norm, as
 * {@code CLIPModel} does before its similarities.
 */
public final class ClipVisionModel implements AutoCloseable {

    /** The metadata key of a converted CLIP vision file holding its config JSON ({@link ClipVisionConfig#toMap}). */
    public static final String STORED_CONFIG = "clip-vision.config";

    private final ClipVisionConfig config;
    private final ClipVisionWeights weights;
    private final WeightSource owned;
    private final String description;

    private ClipVisionModel(ClipVisionConfig config, ClipVisionWeights weights, WeightSource owned, String description) {
        this.config = config;
        this.weights = weights;
        this.owned = owned;
        this.description = description;
    }

    /** Binds the tensors of {@code names} ({@link ClipVisionNames#of}; the caller keeps and closes its source). */
    public static ClipVisionModel bind(Weights names, ClipVisionConfig config) {
        return new ClipVisionModel(config, ClipVisionWeights.bind(names, config), null, describe(names, config));
    }

    /** {@link #load(Path, ClipVisionConfig)} with the configuration from {@code config.json}, a converted file, or inferred. */
    public static ClipVisionModel load(Path path) {
        return load(path, null);
    }

    /**
     * Opens an image encoder: a folder with {@code config.json} and weights ({@code model.safetensors} or
     * {@code pytorch_model.bin}; a transformers {@code CLIPVisionModelWithProjection} or full {@code CLIPModel}), a
     * diffusers pipeline folder (its {@code image_encoder/}), or one checkpoint file. The configuration is
     * {@code config} if given, else the folder's {@code config.json} (beside a file: only a CLIP one), else a
     * converted file's stored config, else inferred from the tensors ({@link ClipVisionConfig#infer}). A CLIP text
     * model is an error saying so. The model owns the opened weights; close it to release them.
     */
    public static ClipVisionModel load(Path path, ClipVisionConfig config) {
        WeightSource src = WeightSources.open(weightsPath(path));
        try {
            Weights names = ClipVisionNames.of(src);
            ClipVisionConfig c = config != null ? config : configFor(path, src, names);
            return new ClipVisionModel(c, ClipVisionWeights.bind(names, c), src, describe(names, c));
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * The configuration {@link #load(Path)} uses for the model at {@code path} whose tensors {@code names} holds
     * (from {@code src}): the {@code config.json} of the folder (of a diffusers folder's {@code image_encoder/};
     * beside a file: only a CLIP vision or full CLIP one), else {@code src}'s stored {@link #STORED_CONFIG} (a
     * converted file), else inferred from the tensors ({@link ClipVisionConfig#infer}).
     */
    public static ClipVisionConfig configFor(Path path, WeightSource src, Weights names) {
        Path p = weightsPath(path);
        Path cfg = null;
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve("config.json"))) cfg = p.resolve("config.json");
        } else if (p.toAbsolutePath().getParent() != null) {
            Path sib = p.toAbsolutePath().getParent().resolve("config.json");
            if (Files.isRegularFile(sib) && isClipVisionConfig(sib)) cfg = sib;
        }
        if (cfg != null) return ClipVisionConfig.fromJson(cfg);
        String stored = src.metadata().get(STORED_CONFIG);
        if (stored != null) return ClipVisionConfig.fromMap(storedConfig(stored, src), src.description() + " (" + STORED_CONFIG + ")");
        return ClipVisionConfig.infer(names);
    }

    /** A diffusers pipeline folder's {@code image_encoder/}, else {@code path} itself. */
    private static Path weightsPath(Path path) {
        if (!Files.isDirectory(path) || !Files.isRegularFile(path.resolve("model_index.json"))) return path;
        Path p = path.resolve("image_encoder");
        if (!Files.isDirectory(p)) throw SynesthesiaException.inFile(path, "a diffusers folder without image_encoder/");
        return p;
    }

    private static Map<String, Object> storedConfig(String json, WeightSource src) {
        try {
            return Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(src.description() + ": " + STORED_CONFIG + " is not a JSON object (" + e.getMessage() + ")");
        }
    }

    /** A config.json of a CLIP vision model or a full CLIP model (a text one beside a file is not this model's). */
    private static boolean isClipVisionConfig(Path file) {
        try {
            Map<String, Object> m = Json.parseObject(Files.readString(file));
            Object t = m.get("model_type");
            return "clip_vision_model".equals(t) || "clip".equals(t);
        } catch (Exception e) {
            return false;
        }
    }

    private static String describe(Weights names, ClipVisionConfig c) {
        return String.format(Locale.ROOT, "CLIP vision (Hugging Face names%s), %dx%d images, patch %d, %d layers, width %d, %d heads, %s, projection %d",
                ClipVisionNames.prefix(names).isEmpty() ? "" : " under '" + ClipVisionNames.prefix(names) + "'", c.imageSize(), c.imageSize(),
                c.patchSize(), c.numLayers(), c.hiddenSize(), c.numHeads(), c.activation().hfName, c.projectionDim());
    }

    public ClipVisionConfig config() { return config; }

    ClipVisionWeights weights() { return weights; }

    public String description() { return description; }

    /**
     * All outputs for pixel values [B, C, S, S] (or one image [C, S, S]; C = num_channels, S = image_size),
     * reporting module outputs to {@code tracer}.
     */
    public ClipVisionOutput forward(Tensor pixelValues, Tracer tracer) {
        Tensor x = checkPixels(pixelValues);
        int B = x.dim(0), T = config.numPositions(), d = config.hiddenSize(), g = config.gridSize(), g2 = T - 1, n = B * T;
        float[] p = patchEmbedding(x.data(), B, tracer); // [B*g^2, d]
        float[] cls = weights.classEmbedding(), pos = weights.positionEmbedding();
        float[] h = new float[n * d];
        Parallel.forRange(n, Math.max(1, Capture.ELEMENT_GRAIN / d), (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / T, t = r % T, o = r * d;
                if (t == 0) {
                    for (int c = 0; c < d; c++) h[o + c] = cls[c] + pos[c];
                } else {
                    int src = (b * g2 + t - 1) * d;
                    for (int c = 0; c < d; c++) h[o + c] = p[src + c] + pos[t * d + c];
                }
            }
        });
        Capture.rows(tracer, "vision_model.embeddings", h, 0, B, T, d);
        float[] normed = new float[n * d];
        weights.preLayrnorm().forward(h, normed, n);
        Capture.rows(tracer, "vision_model.pre_layrnorm", normed, 0, B, T, d);
        weights.encoder().forward(normed, B, T, config.numLayers(), tracer, null);
        float[] first = new float[B * d], pooled = new float[B * d];
        for (int b = 0; b < B; b++) System.arraycopy(normed, b * T * d, first, b * d, d);
        weights.postLayernorm().forward(first, pooled, B);
        Capture.rows(tracer, "vision_model.post_layernorm", pooled, 0, B, d);
        int proj = config.projectionDim();
        float[] embeds = new float[B * proj];
        weights.visualProjection().forward(pooled, B, embeds);
        Capture.rows(tracer, "visual_projection", embeds, 0, B, proj);
        return new ClipVisionOutput(Tensor.of(normed, B, T, d), Tensor.of(pooled, B, d), Tensor.of(embeds, B, proj));
    }

    /**
     * The patch convolution (kernel = stride = patch, no padding, no bias) on x [B, C, S, S] as the GEMM it is:
     * each of the g^2 patches of each image becomes a row of C*patch*patch values in the weight's (c, ky, kx) order,
     * and {@code rows W^T} gives the patch embeddings [B*g^2, d] in token order (pixels past g*patch, when S is not
     * a multiple of the patch, are dropped as the convolution drops them). Reported as the convolution's output
     * [B, d, g, g] under {@code vision_model.embeddings.patch_embedding}.
     */
    private float[] patchEmbedding(float[] x, int B, Tracer tracer) {
        int C = config.numChannels(), P = config.patchSize(), S = config.imageSize(), g = config.gridSize(), g2 = g * g, K = C * P * P;
        int d = config.hiddenSize(), rows = B * g2;
        float[] patches = new float[rows * K];
        Parallel.forRange(rows, Math.max(1, Capture.ELEMENT_GRAIN / K), (from, to) -> {
            for (int r = from; r < to; r++) {
                int b = r / g2, i = r % g2 / g, j = r % g;
                for (int c = 0; c < C; c++)
                    for (int ky = 0; ky < P; ky++)
                        System.arraycopy(x, ((b * C + c) * S + i * P + ky) * S + j * P, patches, r * K + (c * P + ky) * P, P);
            }
        });
        float[] y = new float[rows * d];
        weights.patchEmbedding().forward(patches, rows, y);
        String name = "vision_model.embeddings.patch_embedding";
        if (tracer.wants(name)) {
            float[] nchw = new float[rows * d];
            for (int b = 0; b < B; b++)
                for (int q = 0; q < g2; q++)
                    for (int c = 0; c < d; c++) nchw[(b * d + c) * g2 + q] = y[(b * g2 + q) * d + c];
            tracer.capture(name, Tensor.of(nchw, B, d, g, g));
        }
        return y;
    }

    /** {@code image_embeds} [B, projection_dim] of pixel values [B, C, S, S] (or [C, S, S] as B = 1), not normalised. */
    public Tensor imageEmbeds(Tensor pixelValues) {
        return forward(pixelValues, Tracer.NONE).imageEmbeds();
    }

    /** {@link #imageEmbeds} with each row divided by its L2 norm ({@link #l2Normalize}). */
    public Tensor normalizedImageEmbeds(Tensor pixelValues) {
        return l2Normalize(imageEmbeds(pixelValues));
    }

    /** Rows of e [B, k] divided by their L2 norms ({@code e / e.norm(p=2, dim=-1, keepdim=True)}), as a new tensor. */
    public static Tensor l2Normalize(Tensor e) {
        if (e.rank() != 2) throw new IllegalArgumentException("embeddings of shape " + Arrays.toString(e.shape()) + ", expected [B, k]");
        int rows = e.dim(0), k = e.dim(1);
        float[] v = e.toArray();
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < k; i++) s += (double) v[r * k + i] * v[r * k + i];
            float inv = (float) (1 / Math.sqrt(s));
            for (int i = 0; i < k; i++) v[r * k + i] *= inv;
        }
        return Tensor.of(v, rows, k);
    }

    /** The pixel values as a contiguous [B, C, S, S], or a one-line error naming the expected shape. */
    private Tensor checkPixels(Tensor x) {
        int[] s = x.shape();
        if (s.length == 3) s = new int[] {1, s[0], s[1], s[2]};
        int S = config.imageSize();
        if (s.length != 4 || s[0] < 1 || s[1] != config.numChannels() || s[2] != S || s[3] != S)
            throw new SynesthesiaException("CLIP vision: pixel_values have shape " + Arrays.toString(x.shape()) + ", expected [B, "
                    + config.numChannels() + ", " + S + ", " + S + "] (images resized and cropped to " + S + "x" + S + ")");
        return x.contiguous().reshape(s);
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
