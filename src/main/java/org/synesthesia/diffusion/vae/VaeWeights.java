package org.synesthesia.diffusion.vae;

import java.util.Map;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The tensors of one VAE by their diffusers names ({@code decoder.mid_block.attentions.0.to_q.weight}), looked up
 * in a checkpoint that may use other names: {@code stored} maps each diffusers name to the checkpoint's own.
 */
public final class VaeWeights {
    private final WeightSource source;
    private final Map<String, String> stored;

    public VaeWeights(WeightSource source, Map<String, String> stored) {
        this.source = source;
        this.stored = stored;
    }

    WeightSource source() { return source; }

    boolean contains(String diffusersName) {
        return stored.containsKey(diffusersName);
    }

    StoredTensor get(String diffusersName) {
        String n = stored.get(diffusersName);
        if (n == null) throw new SynesthesiaException(source.description() + ": no tensor for VAE weight '" + diffusersName + "'");
        return source.get(n);
    }

    /** A 1-D tensor of {@code n} values as floats. */
    float[] vector(String diffusersName, int n) {
        StoredTensor t = get(diffusersName);
        if (t.elements() != n || t.rank() != 1)
            throw new SynesthesiaException(source.description() + ": tensor " + t.name() + " has shape " + t.shapeString() + ", expected [" + n + "]");
        return t.toFloats();
    }
}
