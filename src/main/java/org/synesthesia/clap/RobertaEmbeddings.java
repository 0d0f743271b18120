package org.synesthesia.clap;

import java.util.Arrays;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.LayerNorm;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * transformers' {@code RobertaEmbeddings} with token type 0 everywhere, on ids [B, T]:
 * <pre>
 *   position_ids = cumsum(ids != pad) * (ids != pad) + pad        (first real token -> pad + 1, padding -> pad)
 *   h = LayerNorm(word[ids] + token_type[0] + position[position_ids])
 * </pre>
 * (summed in that order, as the reference does).
 *
 * @param word      word embedding [vocab, d] in its stored type
 * @param position  position embedding [positions, d], decoded
 * @param tokenType row 0 of the token type embedding [d]
 * @param norm      {@code embeddings.LayerNorm}
 * @param pad       the padding id (RoBERTa's {@code padding_idx}, 1)
 */
public record RobertaEmbeddings(WeightMatrix word, float[] position, float[] tokenType, LayerNorm norm, int pad) {
    /** {@code prefix.{word,position,token_type}_embeddings.weight} and {@code prefix.LayerNorm} of {@code c}'s shapes. */
    public static RobertaEmbeddings bind(Weights w, String prefix, ClapTextConfig c) {
        int d = c.hiddenSize();
        WeightMatrix word = w.matrix(prefix + ".word_embeddings.weight", c.vocabSize(), d);
        float[] pos = floats(w.get(prefix + ".position_embeddings.weight", c.maxPositions(), d));
        float[] type = floats(w.get(prefix + ".token_type_embeddings.weight", c.typeVocabSize(), d));
        return new RobertaEmbeddings(word, pos, Arrays.copyOf(type, d), LayerNorm.bind(w, prefix + ".LayerNorm", d, c.layerNormEps()), c.padTokenId());
    }

    private static float[] floats(StoredTensor t) {
        try {
            return t.toFloats();
        } catch (RuntimeException e) {
            throw new SynesthesiaException(t.source() + ": tensor " + t.name() + ": cannot decode: " + e.getMessage());
        }
    }

    public int width() {
        return norm.dim();
    }

    /** transformers' {@code create_position_ids_from_input_ids(ids, pad)} for {@code batch} rows of T ids. */
    public static int[] positionIds(int[] ids, int batch, int T, int pad) {
        int[] pos = new int[ids.length];
        for (int b = 0; b < batch; b++)
            for (int t = 0, n = 0; t < T; t++) {
                boolean real = ids[b * T + t] != pad;
                if (real) n++;
                pos[b * T + t] = real ? n + pad : pad;
            }
        return pos;
    }

    /** h [B*T, d] for ids [B*T] (checked against the vocabulary and positions by the caller). */
    public float[] forward(int[] ids, int batch, int T) {
        int d = width(), n = batch * T;
        int[] pos = positionIds(ids, batch, T, pad);
        float[] sum = new float[n * d], h = new float[n * d];
        Parallel.forRange(n, Math.max(1, Capture.ELEMENT_GRAIN / d), (from, to) -> {
            for (int r = from; r < to; r++) {
                word.decodeRow(ids[r], 0, d, sum, r * d);
                Ops.addInPlace(sum, r * d, tokenType, 0, d);
                Ops.addInPlace(sum, r * d, position, pos[r] * d, d);
            }
            norm.forward(sum, from * d, h, from * d, to - from);
        });
        return h;
    }
}
