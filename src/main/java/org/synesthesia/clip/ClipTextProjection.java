package org.synesthesia.clip;

import java.util.Optional;
import org.synesthesia.io.WeightSource;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Linear;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * CLIP's text projection, {@code text_projection = nn.Linear(hidden, projection_dim, bias=False)}: with the text
 * transformer's pooled output p [B, hidden] (the end-of-text token's row of {@code last_hidden_state}),
 * {@code get_text_features = p W^T} [B, projection_dim] (not normalised), openai's {@code encode_text}.
 * <ul>
 *   <li>Hugging Face ({@code CLIPModel}, {@code CLIPTextModelWithProjection}): {@code text_projection.weight}
 *       [projection_dim, hidden] beside {@code text_model.*}, under the same prefix.</li>
 *   <li>openai / OpenCLIP: the parameter {@code text_projection} [hidden, projection_dim] beside
 *       {@code token_embedding.weight}, used as {@code x @ text_projection}; transposed once at load (a small
 *       matrix) into W.</li>
 * </ul>
 *
 * @param linear W [projection_dim, hidden], no bias
 */
public record ClipTextProjection(Linear linear) {
    public ClipTextProjection {
        if (linear.bias() != null) throw new IllegalArgumentException("CLIP's text projection has no bias");
    }

    /** projection_dim */
    public int dim() {
        return linear.out();
    }

    /** {@code pooled} [batch, hidden] -> [batch, projection_dim]. */
    public float[] forward(float[] pooled, int batch) {
        float[] y = new float[batch * linear.out()];
        linear.forward(pooled, batch, y);
        return y;
    }

    /**
     * The projection stored beside the text transformer of {@code text} ({@link ClipNames#of}), checked to take
     * {@code hidden} inputs; empty when the checkpoint has none (a bare {@code CLIPTextModel}, Stable Diffusion's
     * text encoder).
     */
    public static Optional<ClipTextProjection> find(Weights text, int hidden) {
        if (text.isRandom()) return Optional.empty();
        WeightSource src = text.source();
        String prefix = ClipNames.prefix(text);
        if (ClipNames.naming(text) == ClipNames.Naming.HUGGING_FACE) {
            String base = prefix.endsWith("text_model.") ? prefix.substring(0, prefix.length() - "text_model.".length()) : prefix;
            Optional<StoredTensor> t = src.find(base + "text_projection.weight");
            if (t.isEmpty()) return Optional.empty();
            StoredTensor w = t.get();
            if (w.rank() != 2 || w.shape()[1] != hidden)
                throw new SynesthesiaException(w.source() + ": tensor " + w.name() + " has shape " + w.shapeString()
                        + ", expected [projection_dim, " + hidden + "]");
            return Optional.of(new ClipTextProjection(new Linear(matrix(w), null)));
        }
        Optional<StoredTensor> t = src.find(prefix + "text_projection");
        if (t.isEmpty()) return Optional.empty();
        StoredTensor w = t.get();
        if (w.rank() != 2 || w.shape()[0] != hidden)
            throw new SynesthesiaException(w.source() + ": tensor " + w.name() + " has shape " + w.shapeString()
                    + ", expected [" + hidden + ", projection_dim]");
        int p = Math.toIntExact(w.shape()[1]);
        float[] x = decode(w), tr = new float[x.length];
        for (int i = 0; i < hidden; i++)
            for (int j = 0; j < p; j++) tr[j * hidden + i] = x[i * p + j];
        return Optional.of(new ClipTextProjection(new Linear(WeightMatrix.of(tr, p, hidden), null)));
    }

    private static WeightMatrix matrix(StoredTensor w) {
        try {
            return WeightMatrix.of(w);
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(w.source() + ": tensor " + w.name() + ": " + e.getMessage());
        }
    }

    private static float[] decode(StoredTensor w) {
        try {
            return w.toFloats();
        } catch (RuntimeException e) {
            throw new SynesthesiaException(w.source() + ": tensor " + w.name() + ": cannot decode: " + e.getMessage());
        }
    }
}
