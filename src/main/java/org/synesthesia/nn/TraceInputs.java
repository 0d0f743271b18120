package org.synesthesia.nn;

import java.util.Arrays;
import java.util.Map;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/** Reading the named input tensors of a {@link Traceable}, with one-line errors naming the model and the input. */
public final class TraceInputs {
    private TraceInputs() {}

    /**
     * Integral values of a tensor [T] or [B, T] (int64 files are read as floats), row-major; the batch B (1 for [T])
     * goes to {@code batchOut[0]}. {@code maxBatch}: the largest B accepted.
     */
    public static int[] ints(String model, String name, Tensor t, int maxBatch, int[] batchOut) {
        int[] s = t.shape();
        if (!(s.length == 1 || s.length == 2 && s[0] <= maxBatch) || t.size() == 0)
            throw new SynesthesiaException(model + ": " + name + " has shape " + Arrays.toString(s) + ", expected [T] or "
                    + (maxBatch == 1 ? "[1, T]" : "[B, T]"));
        float[] v = t.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != Math.rint(v[i])) throw new SynesthesiaException(model + ": " + name + " value " + i + " is " + v[i] + ", not an integer");
            out[i] = (int) v[i];
        }
        batchOut[0] = s.length == 1 ? 1 : s[0];
        return out;
    }

    /** Input {@code name}, or {@code MODEL: no input tensor 'NAME'}. */
    public static Tensor require(Map<String, Tensor> inputs, String model, String name) {
        Tensor t = inputs.get(name);
        if (t == null) throw new SynesthesiaException(model + ": no input tensor '" + name + "'");
        return t;
    }
}
